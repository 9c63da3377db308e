#include "pool.h"

#include "error.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int workers_in_force = 0;  /* 0: not decided yet */
static const char *bad_env = NULL; /* an unusable SPACEXNET_WORKERS */

int xnet_workers(void)
{
    if (workers_in_force == 0) {
        const char *env = getenv("SPACEXNET_WORKERS");
        char *end = NULL;
        long n = env ? strtol(env, &end, 10) : 0;
        if (env && (end == env || *end != '\0' || n < 1 || n > XNET_MAX_WORKERS)) {
            bad_env = env;
        }
        if (!env || bad_env) {
            n = sysconf(_SC_NPROCESSORS_ONLN);
        }
        workers_in_force = n < 1 ? 1 : n > XNET_MAX_WORKERS ? XNET_MAX_WORKERS : (int)n;
    }
    return workers_in_force;
}

int xnet_workers_check(void)
{
    xnet_workers();
    if (bad_env) {
        return xnet_fail(XNET_ELIMIT,
                         "SPACEXNET_WORKERS must be an integer in [1, %d], got '%.40s'",
                         XNET_MAX_WORKERS, bad_env);
    }
    return XNET_OK;
}

int xnet_set_workers(int n)
{
    if (n < 1 || n > XNET_MAX_WORKERS) {
        return xnet_fail(XNET_EINVAL, "workers must be in [1, %d], got %d", XNET_MAX_WORKERS, n);
    }
    workers_in_force = n;
    bad_env = NULL;
    return XNET_OK;
}

typedef struct {
    int tasks;
    int (*task)(void *ctx, int worker, int index);
    void *ctx;
    atomic_int next;   /* next index to hand out */
    atomic_int failed; /* lowest failing index, or tasks */
    int *status;       /* per index */
    pthread_mutex_t lock; /* over the two below */
    int reason_of;     /* the task whose reason is kept, or tasks */
    char reason[512];  /* its error message */
} pool_t;

typedef struct {
    pool_t *pool;
    int worker;
} pool_thread_t;

static void *pool_loop(void *arg)
{
    pool_thread_t *self = arg;
    pool_t *p = self->pool;
    for (;;) {
        int i = atomic_fetch_add(&p->next, 1);
        if (i >= p->tasks || i > atomic_load(&p->failed)) {
            return NULL;
        }
        int rc = xnet_interrupt_requested ? XNET_EINTR : p->task(p->ctx, self->worker, i);
        if (rc) {
            p->status[i] = rc;
            /* the lowest failing task's reason, whichever thread ran it */
            pthread_mutex_lock(&p->lock);
            if (i < p->reason_of && xnet_errcode() == rc) {
                p->reason_of = i;
                snprintf(p->reason, sizeof p->reason, "%s", xnet_errmsg());
            }
            pthread_mutex_unlock(&p->lock);
            int seen = atomic_load(&p->failed);
            while (i < seen && !atomic_compare_exchange_weak(&p->failed, &seen, i)) {
            }
        }
    }
}

int xnet_pool_run(int tasks, int workers, int (*task)(void *ctx, int worker, int index),
                  void *ctx)
{
    if (tasks <= 0) {
        return xnet_check_interrupt();
    }
    int threads = workers < 1 ? 1 : workers > tasks ? tasks : workers;
    int *status = calloc((size_t)tasks, sizeof(int));
    pool_thread_t *self = malloc(sizeof *self * (size_t)threads);
    pthread_t *tid = malloc(sizeof *tid * (size_t)threads);
    if (!status || !self || !tid) {
        free(status);
        free(self);
        free(tid);
        return xnet_fail(XNET_ENOMEM, "out of memory starting %d workers", threads);
    }
    pool_t p = {.tasks = tasks, .task = task, .ctx = ctx, .status = status, .reason_of = tasks};
    pthread_mutex_init(&p.lock, NULL);
    atomic_init(&p.next, 0);
    atomic_init(&p.failed, tasks);
    /* The calling thread is worker 0; when a thread cannot start, the ones
     * running share its tasks. */
    for (int w = 0; w < threads; w++) {
        self[w].pool = &p;
        self[w].worker = w;
    }
    int started = 1;
    while (started < threads
           && pthread_create(&tid[started], NULL, pool_loop, &self[started]) == 0) {
        started++;
    }
    pool_loop(&self[0]);
    for (int j = 1; j < started; j++) {
        pthread_join(tid[j], NULL);
    }
    int failed = atomic_load(&p.failed), rc = failed < tasks ? status[failed] : XNET_OK;
    pthread_mutex_destroy(&p.lock);
    free(status);
    free(self);
    free(tid);
    if (rc == XNET_EINTR || (rc == XNET_OK && xnet_interrupt_requested)) {
        return xnet_fail(XNET_EINTR, "interrupted");
    }
    if (rc && p.reason_of == failed && p.reason[0]) {
        return xnet_fail(rc, "%s", p.reason);
    }
    return rc ? xnet_fail(rc, "a worker failed (status %d)", rc) : XNET_OK;
}

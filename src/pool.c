#include "pool.h"

#include "error.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
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

static void pool_loop(pool_thread_t *self)
{
    pool_t *p = self->pool;
    for (;;) {
        int i = atomic_fetch_add(&p->next, 1);
        if (i >= p->tasks || i > atomic_load(&p->failed)) {
            return;
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

static _Thread_local int in_task; /* this thread is running a pool's tasks */

static void *pool_loop_entry(void *self)
{
    in_task = 1;
    pool_loop(self);
    return NULL;
}

/* The crew: helper threads started on first need and kept, parked between
 * runs, so a run costs a wake-up rather than a thread start (tens of
 * microseconds each on a virtual machine; a run of four snapshot tasks can
 * be that short). Helper w (1 ..) is worker w of each run that wants it;
 * the calling thread is worker 0. A run from inside a task (a nested run)
 * or while another thread's run holds the crew starts threads of its own,
 * as all runs did before. The helpers are stopped and joined at exit. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake, done;
    pthread_t tid[XNET_MAX_WORKERS];
    int started;              /* helpers running: workers 1 .. started */
    int busy;                 /* a run holds the crew */
    int stop;                 /* exit: helpers return */
    unsigned long generation; /* runs dispatched so far */
    pool_t *job;              /* the current run */
    int want;                 /* its threads, the caller included */
    int finished;             /* helpers done with it */
} crew = {.lock = PTHREAD_MUTEX_INITIALIZER,
          .wake = PTHREAD_COND_INITIALIZER,
          .done = PTHREAD_COND_INITIALIZER};

static void *crew_helper(void *arg)
{
    int worker = (int)(intptr_t)arg;
    unsigned long seen = 0;
    in_task = 1;
    pthread_mutex_lock(&crew.lock);
    for (;;) {
        while (!crew.stop && crew.generation == seen) {
            pthread_cond_wait(&crew.wake, &crew.lock);
        }
        if (crew.stop) {
            break;
        }
        seen = crew.generation;
        if (worker >= crew.want) {
            continue; /* this run needs fewer threads */
        }
        pool_thread_t self = {crew.job, worker};
        pthread_mutex_unlock(&crew.lock);
        pool_loop(&self);
        pthread_mutex_lock(&crew.lock);
        if (++crew.finished == crew.want - 1) {
            pthread_cond_signal(&crew.done);
        }
    }
    pthread_mutex_unlock(&crew.lock);
    return NULL;
}

static void crew_stop(void)
{
    pthread_mutex_lock(&crew.lock);
    crew.stop = 1;
    pthread_cond_broadcast(&crew.wake);
    int started = crew.started;
    pthread_mutex_unlock(&crew.lock);
    for (int w = 1; w <= started; w++) {
        pthread_join(crew.tid[w], NULL);
    }
}

/* Under crew.lock: helpers 1 .. threads - 1 started where they can be;
 * the threads the run gets (fewer when a thread cannot start). */
static int crew_grow(int threads)
{
    if (crew.started == 0 && threads > 1 && atexit(crew_stop) != 0) {
        return 1;
    }
    /* the helpers block every signal (they inherit the mask they start
     * with), so Ctrl-C is always taken by the calling thread, which runs
     * Lua, and never by a parked helper */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    while (crew.started < threads - 1
           && pthread_create(&crew.tid[crew.started + 1], NULL, crew_helper,
                             (void *)(intptr_t)(crew.started + 1)) == 0) {
        crew.started++;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return crew.started + 1 < threads ? crew.started + 1 : threads;
}

/* The run's threads: the crew's when it is free, else threads started for
 * this run and joined after it. */
static void run_threads(pool_t *p, int threads)
{
    int nested = in_task;
    pthread_mutex_lock(&crew.lock);
    if (!nested && !crew.busy && !crew.stop) {
        crew.busy = 1;
        threads = crew_grow(threads);
        crew.job = p;
        crew.want = threads;
        crew.finished = 0;
        crew.generation++;
        if (threads > 1) {
            pthread_cond_broadcast(&crew.wake);
        }
        pthread_mutex_unlock(&crew.lock);
        pool_thread_t self = {p, 0};
        in_task = 1;
        pool_loop(&self);
        in_task = nested;
        pthread_mutex_lock(&crew.lock);
        while (crew.finished < threads - 1) {
            pthread_cond_wait(&crew.done, &crew.lock);
        }
        crew.busy = 0;
        pthread_mutex_unlock(&crew.lock);
        return;
    }
    pthread_mutex_unlock(&crew.lock);
    pool_thread_t self[XNET_MAX_WORKERS];
    pthread_t tid[XNET_MAX_WORKERS];
    for (int w = 0; w < threads; w++) {
        self[w] = (pool_thread_t){p, w};
    }
    /* when a thread cannot start, the ones running share its tasks */
    int started = 1;
    while (started < threads
           && pthread_create(&tid[started], NULL, pool_loop_entry, &self[started]) == 0) {
        started++;
    }
    in_task = 1;
    pool_loop(&self[0]);
    in_task = nested;
    for (int j = 1; j < started; j++) {
        pthread_join(tid[j], NULL);
    }
}

int xnet_pool_run(int tasks, int workers, int (*task)(void *ctx, int worker, int index),
                  void *ctx)
{
    if (tasks <= 0) {
        return xnet_check_interrupt();
    }
    int threads = workers < 1 ? 1 : workers > tasks ? tasks : workers;
    threads = threads > XNET_MAX_WORKERS ? XNET_MAX_WORKERS : threads;
    int *status = calloc((size_t)tasks, sizeof(int));
    if (!status) {
        return xnet_fail(XNET_ENOMEM, "out of memory starting %d workers", threads);
    }
    pool_t p = {.tasks = tasks, .task = task, .ctx = ctx, .status = status, .reason_of = tasks};
    pthread_mutex_init(&p.lock, NULL);
    atomic_init(&p.next, 0);
    atomic_init(&p.failed, tasks);
    run_threads(&p, threads);
    int failed = atomic_load(&p.failed), rc = failed < tasks ? status[failed] : XNET_OK;
    pthread_mutex_destroy(&p.lock);
    free(status);
    if (rc == XNET_EINTR || (rc == XNET_OK && xnet_interrupt_requested)) {
        return xnet_fail(XNET_EINTR, "interrupted");
    }
    if (rc && p.reason_of == failed && p.reason[0]) {
        return xnet_fail(rc, "%s", p.reason);
    }
    return rc ? xnet_fail(rc, "a worker failed (status %d)", rc) : XNET_OK;
}

/* The worker pool: every task runs exactly once on a worker id in range,
 * over many runs of changing sizes (the kept threads are reused, grown and
 * left idle); runs nested inside tasks; the lowest failing task's message,
 * recorded on whichever thread ran it, reaches the caller. */
#include "check.h"
#include "error.h"
#include "pool.h"

#include <stdatomic.h>
#include <string.h>

#define MAX_TASKS 64

typedef struct {
    atomic_int ran[MAX_TASKS];
    atomic_int bad_worker;
    int threads;
} count_job;

static int count_task(void *ctx, int worker, int index)
{
    count_job *j = ctx;
    atomic_fetch_add(&j->ran[index], 1);
    if (worker < 0 || worker >= j->threads) {
        atomic_fetch_add(&j->bad_worker, 1);
    }
    return XNET_OK;
}

/* Runs of 1..MAX_TASKS tasks on 1..5 workers, sizes going up and down. */
static void test_every_task_once(void)
{
    int wrong = 0, runs = 0;
    for (int round = 0; round < 300; round++) {
        int tasks = 1 + (round * 37) % MAX_TASKS, workers = 1 + (round * 7) % 5;
        count_job j = {.threads = workers < tasks ? workers : tasks};
        for (int i = 0; i < MAX_TASKS; i++) {
            atomic_init(&j.ran[i], 0);
        }
        atomic_init(&j.bad_worker, 0);
        wrong += xnet_pool_run(tasks, workers, count_task, &j) != XNET_OK;
        for (int i = 0; i < MAX_TASKS; i++) {
            wrong += atomic_load(&j.ran[i]) != (i < tasks);
        }
        wrong += atomic_load(&j.bad_worker) != 0;
        runs++;
    }
    printf("pool: %d runs of 1-%d tasks on 1-5 workers, %d wrong\n", runs, MAX_TASKS, wrong);
    CHECK(wrong == 0);
}

typedef struct {
    atomic_int inner_ran;
    atomic_int failures;
} nest_job;

static int inner_task(void *ctx, int worker, int index)
{
    (void)worker;
    (void)index;
    atomic_fetch_add(&((nest_job *)ctx)->inner_ran, 1);
    return XNET_OK;
}

static int outer_task(void *ctx, int worker, int index)
{
    (void)worker;
    (void)index;
    nest_job *j = ctx;
    if (xnet_pool_run(5, 3, inner_task, j) != XNET_OK) {
        atomic_fetch_add(&j->failures, 1);
    }
    return XNET_OK;
}

/* A run inside each of 8 tasks on 3 workers: 40 inner tasks, none lost. */
static void test_nested(void)
{
    nest_job j;
    atomic_init(&j.inner_ran, 0);
    atomic_init(&j.failures, 0);
    CHECK(xnet_pool_run(8, 3, outer_task, &j) == XNET_OK);
    CHECK(atomic_load(&j.inner_ran) == 40);
    CHECK(atomic_load(&j.failures) == 0);
}

static int failing_task(void *ctx, int worker, int index)
{
    (void)ctx;
    (void)worker;
    if (index == 13 || index == 29) {
        return xnet_fail(XNET_EINVAL, "task %d refused", index);
    }
    return XNET_OK;
}

/* The lowest failing index's code and message, whichever thread ran it;
 * the pool works again afterwards. */
static void test_failure_message(void)
{
    int wrong = 0;
    for (int workers = 1; workers <= 4; workers++) {
        wrong += xnet_pool_run(40, workers, failing_task, NULL) != XNET_EINVAL;
        wrong += strcmp(xnet_errmsg(), "task 13 refused") != 0;
        count_job j = {.threads = workers};
        for (int i = 0; i < MAX_TASKS; i++) {
            atomic_init(&j.ran[i], 0);
        }
        atomic_init(&j.bad_worker, 0);
        wrong += xnet_pool_run(10, workers, count_task, &j) != XNET_OK;
        wrong += atomic_load(&j.ran[9]) != 1;
    }
    CHECK(wrong == 0);
}

int main(void)
{
    test_every_task_once();
    test_nested();
    test_failure_message();
    return check_done();
}

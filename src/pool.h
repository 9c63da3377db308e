/* Workers: independent tasks (one per snapshot, say) spread over threads.
 * Tasks must not touch igraph (Debian's igraph 0.10 is not thread-safe) and
 * allocate nothing the caller did not size beforehand. A task returns a
 * status code; the message it recorded with xnet_fail (errors are per
 * thread) reaches the caller with the lowest failing index's code. The
 * threads are started once and kept (a run wakes them), and a run from
 * inside a task works too (it starts threads of its own). */
#ifndef XNET_POOL_H
#define XNET_POOL_H

/* Worker threads used by kernels; default one per online processor, or
 * SPACEXNET_WORKERS from the environment, or xnet.limits{ workers = N }. */
int xnet_workers(void);
/* XNET_ELIMIT naming SPACEXNET_WORKERS when it is set but unusable (and
 * xnet_set_workers has not been called), else XNET_OK. */
int xnet_workers_check(void);
/* XNET_EINVAL unless 1 <= n <= XNET_MAX_WORKERS. */
int xnet_set_workers(int n);
#define XNET_MAX_WORKERS 256

/* Run task(ctx, worker, index) for index in [0, tasks) on min(workers, tasks)
 * threads (worker in [0, that count)); tasks are handed out in order as
 * threads become free. Stops handing out tasks after the first non-zero
 * status or an interrupt, waits for every thread, and returns the status of
 * the lowest failing index (XNET_EINTR with its message when interrupted). */
int xnet_pool_run(int tasks, int workers, int (*task)(void *ctx, int worker, int index),
                  void *ctx);

#endif

/* Processes, directories, clocks and a string hash for the study runner
 * (lua/xnet/study.lua). POSIX only; nothing here calls igraph.
 *
 * Workers: a study run with --jobs N spawns N copies of this program. Each
 * worker reads one point id per line on its stdin and reports one line per
 * finished point on file descriptor 3; the parent reads those reports
 * through a non-blocking pipe and polls all workers at once. */
#ifndef XNET_PROC_H
#define XNET_PROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct {
    pid_t pid;      /* > 0 until reaped */
    int to_child;   /* write end of the child's stdin; -1 once closed */
    int from_child; /* read end of the child's fd 3 (non-blocking); -1 at EOF */
    int exit_code;  /* once reaped: the exit status, or 128 + the signal number */
} xnet_proc_t;

/* Start path with argv (NULL-ended; argv[0] is the program name) as a
 * worker: stdin from a new pipe, fd 3 to a new pipe, stdout and stderr
 * shared with this process, in its own process group (so a Ctrl-C at the
 * terminal reaches only the parent, which forwards it), SIGINT and SIGPIPE
 * at their defaults. Ignores SIGPIPE in this process from then on, so a
 * write to a dead worker fails with EPIPE instead of killing the parent.
 * XNET_EIO with the reason on failure; *p is then closed (pid 0, fds -1). */
int xnet_proc_spawn(xnet_proc_t *p, const char *path, char *const argv[]);

/* Write all of data to the child's stdin. XNET_EIO once the input is closed
 * or the child has gone (EPIPE). */
int xnet_proc_send(xnet_proc_t *p, const char *data, size_t len);

/* Read what the child has reported so far, without blocking: up to cap
 * bytes into buf, *got of them (0 when nothing is pending). *eof = 1 once
 * the child closed fd 3 (exited); the read end is then closed. */
int xnet_proc_receive(xnet_proc_t *p, char *buf, size_t cap, size_t *got, int *eof);

/* Close the child's stdin: a worker finishes its current point and exits. */
void xnet_proc_close_input(xnet_proc_t *p);

/* Close both pipe ends (idempotent); does not signal or reap the child. */
void xnet_proc_close(xnet_proc_t *p);

/* Reap the child: block until it exits, or with block = 0 only look.
 * *done = 1 and p->exit_code set once it has exited (also on later calls). */
int xnet_proc_wait(xnet_proc_t *p, int block, int *done);

/* Send sig to the child (nothing once it is reaped). */
int xnet_proc_signal(const xnet_proc_t *p, int sig);

/* Wait until one of the n children has a report or EOF pending, or
 * timeout_s seconds pass, or a signal arrives. *ready counts the children
 * with something pending (0 on timeout or signal). */
int xnet_proc_poll(xnet_proc_t *const procs[], size_t n, double timeout_s, size_t *ready);

/* The absolute path of the running executable (/proc/self/exe). */
int xnet_self_exe(char *buf, size_t cap);

/* The entries of a directory except "." and "..", in directory order, as
 * one malloc'd buffer of NUL-terminated names (*names, free with free());
 * *count names, *len bytes. XNET_EIO "path: reason" on failure. */
int xnet_dir_list(const char *path, char **names, size_t *len, size_t *count);

/* Create a directory and its missing parents (mode 0777 & ~umask); an
 * existing directory is fine. XNET_EIO "path: reason" on failure. */
int xnet_mkdir_p(const char *path);

/* The absolute path of an existing `path` with every symbolic link, "." and
 * ".." resolved (realpath(3)), into buf of cap bytes; "path: reason" if it
 * does not exist or is too long. */
int xnet_realpath(const char *path, char *buf, size_t cap);

/* Seconds on the monotonic clock (for durations) and the wall clock (since
 * the Unix epoch), with sub-microsecond resolution. */
double xnet_clock_monotonic(void);
double xnet_clock_wall(void);

/* Sleep for s seconds (s <= 0 returns at once); a signal ends it early. */
void xnet_sleep(double s);

/* isatty(fd) and getpid(), so bindings need no POSIX headers. */
int xnet_isatty(int fd);
long xnet_getpid(void);

/* The host name (truncated to cap - 1 bytes), "unknown" if unavailable. */
void xnet_hostname(char *buf, size_t cap);

/* Processors online, >= 1. */
int xnet_cpu_count(void);

#endif

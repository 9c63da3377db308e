#define _POSIX_C_SOURCE 200809L
#include "proc.h"

#include "error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

static void close_pair(int fds[2])
{
    close_fd(&fds[0]);
    close_fd(&fds[1]);
}

/* Two close-on-exec pipes: the child's stdin, and its fd 3 with a
 * non-blocking read end. All four fds are -1 on failure. */
static int open_pipes(int in[2], int report[2])
{
    in[0] = in[1] = report[0] = report[1] = -1;
    int ok = pipe(in) == 0 && pipe(report) == 0;
    for (int i = 0; ok && i < 2; i++) {
        ok = fcntl(in[i], F_SETFD, FD_CLOEXEC) == 0 && fcntl(report[i], F_SETFD, FD_CLOEXEC) == 0;
    }
    int flags = ok ? fcntl(report[0], F_GETFL) : -1;
    ok = ok && flags >= 0 && fcntl(report[0], F_SETFL, flags | O_NONBLOCK) == 0;
    if (!ok) {
        int e = errno;
        close_pair(in);
        close_pair(report);
        errno = e;
        return -1;
    }
    return 0;
}

int xnet_proc_spawn(xnet_proc_t *p, const char *path, char *const argv[])
{
    p->pid = 0;
    p->to_child = p->from_child = -1;
    p->exit_code = -1;
    int in[2], report[2];
    if (open_pipes(in, report) != 0) {
        return xnet_fail(XNET_EIO, "%s: cannot create a pipe: %s", path, strerror(errno));
    }
    signal(SIGPIPE, SIG_IGN);
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t dflt, none;
    sigemptyset(&dflt);
    sigaddset(&dflt, SIGINT);
    sigaddset(&dflt, SIGPIPE);
    sigemptyset(&none);
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc == 0) {
        rc = posix_spawnattr_init(&attr);
        if (rc != 0) {
            posix_spawn_file_actions_destroy(&fa);
        }
    }
    if (rc == 0) {
        /* stdin first: report[1] is never 0, and in[0] is no longer needed
         * when fd 3 is overwritten. dup2 clears close-on-exec on the copies. */
        if ((rc = posix_spawn_file_actions_adddup2(&fa, in[0], 0)) == 0 &&
            (rc = posix_spawn_file_actions_adddup2(&fa, report[1], 3)) == 0 &&
            (rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
                                                      POSIX_SPAWN_SETSIGMASK)) == 0 &&
            (rc = posix_spawnattr_setpgroup(&attr, 0)) == 0 &&
            (rc = posix_spawnattr_setsigdefault(&attr, &dflt)) == 0 &&
            (rc = posix_spawnattr_setsigmask(&attr, &none)) == 0) {
            rc = posix_spawn(&p->pid, path, &fa, &attr, argv, environ);
        }
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
    }
    close_fd(&in[0]);
    close_fd(&report[1]);
    if (rc != 0) {
        p->pid = 0;
        close_fd(&in[1]);
        close_fd(&report[0]);
        return xnet_fail(XNET_EIO, "%s: cannot start a worker: %s", path, strerror(rc));
    }
    p->to_child = in[1];
    p->from_child = report[0];
    return XNET_OK;
}

int xnet_proc_send(xnet_proc_t *p, const char *data, size_t len)
{
    if (p->to_child < 0) {
        return xnet_fail(XNET_EIO, "worker %ld: input already closed", (long)p->pid);
    }
    while (len > 0) {
        ssize_t n = write(p->to_child, data, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return xnet_fail(XNET_EIO, "worker %ld: %s", (long)p->pid, strerror(errno));
        }
        data += n;
        len -= (size_t)n;
    }
    return XNET_OK;
}

int xnet_proc_receive(xnet_proc_t *p, char *buf, size_t cap, size_t *got, int *eof)
{
    *got = 0;
    *eof = p->from_child < 0;
    while (!*eof && cap > 0) {
        ssize_t n = read(p->from_child, buf, cap);
        if (n > 0) {
            *got = (size_t)n;
            return XNET_OK;
        }
        if (n == 0) {
            close_fd(&p->from_child);
            *eof = 1;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return XNET_OK;
        } else if (errno != EINTR) {
            return xnet_fail(XNET_EIO, "worker %ld: %s", (long)p->pid, strerror(errno));
        }
    }
    return XNET_OK;
}

void xnet_proc_close_input(xnet_proc_t *p)
{
    close_fd(&p->to_child);
}

void xnet_proc_close(xnet_proc_t *p)
{
    close_fd(&p->to_child);
    close_fd(&p->from_child);
}

int xnet_proc_wait(xnet_proc_t *p, int block, int *done)
{
    *done = p->pid <= 0;
    if (*done) {
        return XNET_OK;
    }
    int status;
    pid_t r;
    do {
        r = waitpid(p->pid, &status, block ? 0 : WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        return xnet_fail(XNET_EIO, "worker %ld: %s", (long)p->pid, strerror(errno));
    }
    if (r == 0) {
        return XNET_OK;
    }
    p->exit_code = WIFEXITED(status) ? WEXITSTATUS(status)
                   : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                         : 255;
    p->pid = 0;
    *done = 1;
    return XNET_OK;
}

int xnet_proc_signal(const xnet_proc_t *p, int sig)
{
    if (p->pid > 0 && kill(p->pid, sig) != 0 && errno != ESRCH) {
        return xnet_fail(XNET_EIO, "worker %ld: %s", (long)p->pid, strerror(errno));
    }
    return XNET_OK;
}

int xnet_proc_poll(xnet_proc_t *const procs[], size_t n, double timeout_s, size_t *ready)
{
    *ready = 0;
    struct pollfd *fds = calloc(n ? n : 1, sizeof *fds);
    if (!fds) {
        return xnet_fail(XNET_ENOMEM, "poll: out of memory");
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (procs[i]->from_child >= 0) {
            fds[m].fd = procs[i]->from_child;
            fds[m].events = POLLIN;
            m++;
        }
    }
    double ms = timeout_s * 1000.0;
    int timeout_ms = ms <= 0 ? 0 : ms > INT_MAX ? INT_MAX : (int)ms;
    int r = poll(fds, (nfds_t)m, timeout_ms);
    int e = errno;
    free(fds);
    if (r < 0 && e != EINTR) {
        return xnet_fail(XNET_EIO, "poll: %s", strerror(e));
    }
    *ready = r > 0 ? (size_t)r : 0;
    return XNET_OK;
}

int xnet_self_exe(char *buf, size_t cap)
{
    if (cap == 0) {
        return xnet_fail(XNET_EINVAL, "self_exe: empty buffer");
    }
    ssize_t n = readlink("/proc/self/exe", buf, cap - 1);
    if (n < 0) {
        return xnet_fail(XNET_EIO, "/proc/self/exe: %s", strerror(errno));
    }
    if ((size_t)n >= cap - 1) {
        return xnet_fail(XNET_EIO, "/proc/self/exe: path longer than %zu bytes", cap - 2);
    }
    buf[n] = '\0';
    return XNET_OK;
}

int xnet_dir_list(const char *path, char **names, size_t *len, size_t *count)
{
    *names = NULL;
    *len = *count = 0;
    DIR *d = opendir(path);
    if (!d) {
        return xnet_fail(XNET_EIO, "%s: %s", path, strerror(errno));
    }
    size_t cap = 4096, n = 0, k = 0;
    char *buf = malloc(cap);
    if (!buf) {
        closedir(d);
        return xnet_fail(XNET_ENOMEM, "%s: out of memory", path);
    }
    struct dirent *ent;
    errno = 0;
    while ((ent = readdir(d)) != NULL) {
        const char *name = ent->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
            continue;
        }
        size_t l = strlen(name) + 1;
        if (n + l > cap) {
            while (n + l > cap) {
                cap *= 2;
            }
            char *bigger = realloc(buf, cap);
            if (!bigger) {
                free(buf);
                closedir(d);
                return xnet_fail(XNET_ENOMEM, "%s: out of memory", path);
            }
            buf = bigger;
        }
        memcpy(buf + n, name, l);
        n += l;
        k++;
        errno = 0;
    }
    int e = errno;
    closedir(d);
    if (e != 0) {
        free(buf);
        return xnet_fail(XNET_EIO, "%s: %s", path, strerror(e));
    }
    *names = buf;
    *len = n;
    *count = k;
    return XNET_OK;
}

static int mkdir_one(const char *full, const char *dir)
{
    struct stat st;
    if (mkdir(dir, 0777) == 0) {
        return XNET_OK;
    }
    int e = errno;
    if (e == EEXIST && stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            return XNET_OK;
        }
        return xnet_fail(XNET_EIO, "%s: %s exists and is not a directory", full, dir);
    }
    return xnet_fail(XNET_EIO, "%s: %s", full, strerror(e));
}

int xnet_mkdir_p(const char *path)
{
    size_t n = strlen(path);
    if (n == 0) {
        return xnet_fail(XNET_EIO, "mkdir: empty path");
    }
    char *copy = malloc(n + 1);
    if (!copy) {
        return xnet_fail(XNET_ENOMEM, "%s: out of memory", path);
    }
    memcpy(copy, path, n + 1);
    int rc = XNET_OK;
    for (char *s = copy + 1; *s && rc == XNET_OK; s++) {
        if (*s == '/' && s[-1] != '/') {
            *s = '\0';
            rc = mkdir_one(path, copy);
            *s = '/';
        }
    }
    if (rc == XNET_OK) {
        rc = mkdir_one(path, copy);
    }
    free(copy);
    return rc;
}

int xnet_realpath(const char *path, char *buf, size_t cap)
{
    char resolved[PATH_MAX];
    if (!realpath(path, resolved)) {
        return xnet_fail(XNET_EIO, "%s: %s", path, strerror(errno));
    }
    if (strlen(resolved) >= cap) {
        return xnet_fail(XNET_EIO, "%s: resolved path longer than %zu bytes", path, cap - 1);
    }
    strcpy(buf, resolved);
    return XNET_OK;
}

static double clock_seconds(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double xnet_clock_monotonic(void)
{
    return clock_seconds(CLOCK_MONOTONIC);
}

double xnet_clock_wall(void)
{
    return clock_seconds(CLOCK_REALTIME);
}

void xnet_sleep(double s)
{
    if (!(s > 0)) {
        return;
    }
    if (s > 1e9) {
        s = 1e9;
    }
    struct timespec ts;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    nanosleep(&ts, NULL);
}

int xnet_isatty(int fd)
{
    return isatty(fd);
}

long xnet_getpid(void)
{
    return (long)getpid();
}

void xnet_hostname(char *buf, size_t cap)
{
    if (cap == 0) {
        return;
    }
    if (gethostname(buf, cap) != 0 || buf[0] == '\0') {
        snprintf(buf, cap, "unknown");
    }
    buf[cap - 1] = '\0';
}

int xnet_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 && n < INT_MAX ? (int)n : 1;
}

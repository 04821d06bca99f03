#ifndef DSARI_PROCESS_SPAWN_H
#define DSARI_PROCESS_SPAWN_H
#include <sys/types.h>

/// Starts `path` with `argv` and `envp` (both NULL-terminated) in its own
/// process group, in `cwd`, with stdin/stdout/stderr from the given
/// descriptors, every other descriptor closed, all signals at their default
/// disposition and none blocked. Returns 0 and sets *pid, or an errno value
/// (the exec or chdir failure of the child, as glibc reports it).
int dsari_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], const char *cwd,
                int stdin_fd, int stdout_fd, int stderr_fd);

/// Decodes a wait status: 1 and the exit code if the process exited,
/// 2 and the signal number if a signal killed it, 0 otherwise.
int dsari_wait_status(int status, int *value);
/// pipe2(fds, O_CLOEXEC): a pipe whose ends children do not inherit.
int dsari_pipe_cloexec(int fds[2]);
/// epoll and eventfd, which Swift's Glibc module does not expose.
/// A close-on-exec epoll instance, or -1.
int dsari_epoll_create(void);
/// Watches `fd` for input (level-triggered, hang-up included).
int dsari_epoll_add(int epoll, int fd);
int dsari_epoll_remove(int epoll, int fd);
/// Waits for events; writes up to `max` ready descriptors to `fds`; returns their count or -1.
int dsari_epoll_wait(int epoll, int *fds, int max);
/// A close-on-exec, non-blocking eventfd, or -1.
int dsari_eventfd(void);
/// Waits until every process of `pids` has ended (its own children or not:
/// through pidfds, no polling), or `timeout_ms` milliseconds have passed.
/// A process already gone counts as ended. Returns 0 when all ended, 1 on
/// timeout, -1 (errno set) when pidfds are unavailable (Linux before 5.3).
int dsari_wait_for_exits(const pid_t *pids, int count, int timeout_ms);
#endif

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
#endif

#define _GNU_SOURCE
#include "process_spawn.h"
#include <signal.h>
#include <spawn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

int dsari_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], const char *cwd,
                int stdin_fd, int stdout_fd, int stderr_fd) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int error = posix_spawn_file_actions_init(&actions);
    if (error) return error;
    error = posix_spawnattr_init(&attributes);
    if (error) {
        posix_spawn_file_actions_destroy(&actions);
        return error;
    }
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    if (!error) error = posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
    if (!error) error = posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
    if (!error) error = posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2);
    if (!error && cwd) error = posix_spawn_file_actions_addchdir_np(&actions, cwd);
    if (!error) error = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (!error) error = posix_spawnattr_setpgroup(&attributes, 0);
    if (!error) error = posix_spawnattr_setsigmask(&attributes, &none);
    if (!error) error = posix_spawnattr_setsigdefault(&attributes, &all);
    if (!error)
        error = posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    if (!error) error = posix_spawn(pid, path, &actions, &attributes, argv, envp);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return error;
}

int dsari_wait_status(int status, int *value) {
    if (WIFEXITED(status)) {
        *value = WEXITSTATUS(status);
        return 1;
    }
    if (WIFSIGNALED(status)) {
        *value = WTERMSIG(status);
        return 2;
    }
    return 0;
}

int dsari_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int dsari_epoll_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

int dsari_epoll_add(int epoll, int fd) {
    struct epoll_event event = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = fd};
    return epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
}

int dsari_epoll_remove(int epoll, int fd) {
    return epoll_ctl(epoll, EPOLL_CTL_DEL, fd, NULL);
}

int dsari_epoll_wait(int epoll, int *fds, int max) {
    struct epoll_event events[128];
    if (max > 128) max = 128;
    int count = epoll_wait(epoll, events, max, -1);
    for (int i = 0; i < count; i++) fds[i] = events[i].data.fd;
    return count;
}

int dsari_eventfd(void) {
    return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

#ifndef SYS_pidfd_open
/* Headers older than Linux 5.3: the number is the same on every architecture but alpha. */
#define SYS_pidfd_open 434
#endif

static long dsari_milliseconds_now(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

int dsari_wait_for_exits(const pid_t *pids, int count, int timeout_ms) {
    struct pollfd *watched = calloc(count > 0 ? (size_t)count : 1, sizeof(struct pollfd));
    if (!watched) return -1;
    int open_count = 0;
    for (int i = 0; i < count; i++) {
        int fd = (int)syscall(SYS_pidfd_open, pids[i], 0);
        if (fd >= 0) {
            watched[open_count].fd = fd;
            watched[open_count].events = POLLIN;
            open_count++;
        } else if (errno != ESRCH) {
            int error = errno;
            for (int j = 0; j < open_count; j++) close(watched[j].fd);
            free(watched);
            errno = error;
            return -1;
        }
    }
    long deadline = dsari_milliseconds_now() + timeout_ms;
    int result = 0;
    int left = open_count;
    while (left > 0) {
        long remaining = deadline - dsari_milliseconds_now();
        if (remaining <= 0) {
            result = 1;
            break;
        }
        int ready = poll(watched, (nfds_t)open_count, (int)remaining);
        if (ready < 0 && errno != EINTR) {
            result = -1;
            break;
        }
        left = 0;
        for (int i = 0; i < open_count; i++) {
            /* A pidfd is readable once its process has ended; stop watching it. */
            if (watched[i].fd >= 0 && (watched[i].revents & (POLLIN | POLLHUP | POLLERR))) {
                close(watched[i].fd);
                watched[i].fd = -1;
            }
            if (watched[i].fd >= 0) left++;
            watched[i].revents = 0;
        }
    }
    int error = errno;
    for (int i = 0; i < open_count; i++)
        if (watched[i].fd >= 0) close(watched[i].fd);
    free(watched);
    errno = error;
    return result;
}

/*
 * poll(2) over N idle fds + 1 ready fd, in a process with 0 or 1 extra
 * (idle) threads: the C baseline a JavaScript runtime can be held to.
 *
 * Linux's fdget() skips the reference count on each file only while the fd
 * table has one user; any second thread (every Deno and Bun process has
 * several) makes poll() take and drop a reference per fd per call. So a
 * runtime's PollSelector is compared with C poll "with a thread", too.
 *
 *   gcc -O2 -o poll_threads poll_threads.c -lpthread
 *   poll_threads THREADS N...   -> one JSON line per N (THREADS: 1 or 2 in all)
 *
 * Run it both ways, alternately, and compare medians: the two cases in one
 * process would differ by the order they ran in as much as by the thread.
 */
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void *idle(void *arg) {
  (void)arg;
  for (;;) pause();
  return NULL;
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Median ns per call of 5 batches; each batch ~0.2 s. */
static double measure(struct pollfd *p, int nfds) {
  double per[5];
  int calls = 1;
  for (;;) { /* size a batch */
    double t0 = now_ns();
    for (int i = 0; i < calls; i++) poll(p, nfds, 0);
    if (now_ns() - t0 > 2e8 || calls >= 1 << 20) break;
    calls *= 2;
  }
  for (int b = 0; b < 5; b++) {
    double t0 = now_ns();
    for (int i = 0; i < calls; i++)
      if (poll(p, nfds, 0) != 1) return -1;
    per[b] = (now_ns() - t0) / calls;
  }
  qsort(per, 5, sizeof per[0], cmp);
  return per[2];
}

int main(int argc, char **argv) {
  if (argc < 3) return fprintf(stderr, "usage: poll_threads THREADS N...\n"), 2;
  int threads = atoi(argv[1]), max = 0;
  for (int a = 2; a < argc; a++) if (atoi(argv[a]) > max) max = atoi(argv[a]);
  struct pollfd *p = calloc((size_t)max + 2, sizeof *p);
  int *idle_fds = calloc((size_t)max + 2, sizeof *idle_fds);
  int ready[2];
  if (!p || !idle_fds || socketpair(AF_UNIX, SOCK_STREAM, 0, ready) < 0) return perror("setup"), 1;
  if (write(ready[1], "x", 1) != 1) return perror("write"), 1;
  for (int made = 0; made < max; made += 2) { /* ceil(max/2) idle pairs, both ends watched */
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, idle_fds + made) < 0) return perror("socketpair"), 1;
  }
  if (threads >= 2) {
    pthread_t t;
    if (pthread_create(&t, NULL, idle, NULL) != 0) return perror("pthread_create"), 1;
  }
  for (int a = 2; a < argc; a++) {
    int n = atoi(argv[a]);
    for (int i = 0; i < n; i++) p[i].fd = idle_fds[i], p[i].events = POLLIN;
    p[n].fd = ready[0], p[n].events = POLLIN; /* the ready fd goes last */
    double ns = measure(p, n + 1);
    printf("{\"impl\":\"c\",\"api\":\"poll\",\"threads\":%d,\"n\":%d,\"ns_per_call\":%.1f}\n", threads >= 2 ? 2 : 1, n, ns);
    fflush(stdout);
  }
  return 0;
}

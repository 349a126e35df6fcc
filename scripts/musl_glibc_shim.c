/*
 * TEST-ONLY STAND-IN (scripts/platform.mjs musl). Bun's musl build needs a
 * musl libstdc++, which Alpine ships and Debian does not. Debian's own
 * libstdc++.so.6 and libgcc_s.so.1 load under musl's loader except for the
 * glibc-only symbols below; this shim supplies them, simply:
 *
 *   arc4random                 getrandom(2)
 *   __strftime_l               musl's strftime_l
 *   __cxa_thread_atexit_impl   accepted, not run: thread_local destructors
 *                              are skipped at thread exit (a leak, no more)
 *   __libc_single_threaded     0: libstdc++ always takes its atomic paths
 *   _dl_find_object            "not found": libgcc falls back to
 *                              dl_iterate_phdr for unwinding
 *   __cpu_indicator_init,      libgcc's CPU feature probe: "no features"
 *   __cpu_model
 *
 * Never ship it: it exists so the suite can run under musl on this machine.
 */
#define _GNU_SOURCE
#include <locale.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/random.h>
#include <time.h>

uint32_t arc4random(void) {
    uint32_t v = 0;
    while (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v) {
    }
    return v;
}

size_t __strftime_l(char *s, size_t n, const char *format, const struct tm *tm, locale_t loc) {
    return strftime_l(s, n, format, tm, loc);
}

int __cxa_thread_atexit_impl(void (*dtor)(void *), void *obj, void *dso) {
    (void)dtor;
    (void)obj;
    (void)dso;
    return 0;
}

char __libc_single_threaded = 0;

int _dl_find_object(void *pc, void *result) {
    (void)pc;
    (void)result;
    return -1;
}

int __cpu_indicator_init(void) { return 0; }

struct { unsigned vendor, type, subtype, features[1]; } __cpu_model;

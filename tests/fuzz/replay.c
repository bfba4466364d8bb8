/*
 * replay.c — runs a libFuzzer target without libFuzzer: each argument is a
 * file or a directory of files (the seed corpus and every crash input ever
 * found), fed once to LLVMFuzzerTestOneInput.  `make check` builds it with
 * gcc (and again with ASan+UBSan) so every finding stays a regression test.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    for (size_t r; buf && (r = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += r;
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap *= 2);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    fclose(f);
    if (!buf) {
        fprintf(stderr, "%s: out of memory\n", path);
        return -1;
    }
    // An exact-size copy, so that ASan catches a read one past the input.
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    return 0;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    int files = 0, errors = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            errors++;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            errors += run_file(argv[i]) != 0;
            files++;
            continue;
        }
        DIR *d = opendir(argv[i]);
        if (!d) {
            perror(argv[i]);
            errors++;
            continue;
        }
        size_t n = 0, cap = 64;
        char **list = malloc(cap * sizeof *list);
        for (struct dirent *e; list && (e = readdir(d));) {
            if (e->d_name[0] == '.')
                continue;
            if (n == cap) {
                char **nl = realloc(list, (cap *= 2) * sizeof *list);
                if (!nl)
                    break;
                list = nl;
            }
            list[n] = malloc(strlen(argv[i]) + strlen(e->d_name) + 2);
            if (list[n])
                sprintf(list[n++], "%s/%s", argv[i], e->d_name);
        }
        closedir(d);
        if (!list) {
            errors++;
            continue;
        }
        qsort(list, n, sizeof *list, cmp);  // a stable order for reports
        for (size_t k = 0; k < n; k++) {
            if (getenv("REPLAY_VERBOSE"))
                fprintf(stderr, "replay %s\n", list[k]);
            errors += run_file(list[k]) != 0;
            files++;
            free(list[k]);
        }
        free(list);
    }
    printf("replayed %d inputs, %d unreadable\n", files, errors);
    return errors ? 1 : 0;
}

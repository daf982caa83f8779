/*
 * seeds: every libFuzzer harness of tests/fuzz/ run once on every file of
 * its committed seed corpus, with the normal compiler and no libFuzzer, as
 * a "make check" test.  A harness reports a broken property by crashing
 * (abort()), so a seed that breaks one fails the test, and so does one
 * that takes over a minute (an alarm); under --enable-sanitizers, ASan
 * and UBSan watch the same runs.
 *
 *	seeds [CORPUS-DIR [NAME...]]
 *
 * CORPUS-DIR defaults to $top_srcdir/tests/fuzz/corpus (make check sets
 * top_srcdir); NAME picks harnesses (default: all).  A harness without a
 * corpus directory, or with an empty one, is a failure: a test that reads
 * nothing proves nothing.
 *
 * The harnesses are included here, each with LLVMFuzzerTestOneInput
 * renamed, so that one program holds them all; their own static names
 * must not collide (checked by the compiler).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LLVMFuzzerTestOneInput	seeds_conf
#include "fuzz-conf.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	seeds_addr
#include "fuzz-addr.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	seeds_msg
#include "fuzz-msg.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	seeds_vcard
#include "fuzz-vcard.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	seeds_reply
#include "fuzz-reply.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	seeds_mailto
#include "fuzz-mailto.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	seeds_dane
#include "fuzz-dane.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	seeds_mtasts
#include "fuzz-mtasts.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	seeds_dns
#include "fuzz-dns.c"
#undef LLVMFuzzerTestOneInput

#define SEED_MAX	(1024 * 1024)	/* larger seeds are an error */
#define SEED_SECS	60		/* one input may take this long */

struct harness {
	const char	*name;
	int		(*one)(const uint8_t *, size_t);
};

static const struct harness harnesses[] = {
	{ "conf", seeds_conf },
	{ "addr", seeds_addr },
	{ "msg", seeds_msg },
	{ "vcard", seeds_vcard },
	{ "reply", seeds_reply },
	{ "mailto", seeds_mailto },
	{ "dane", seeds_dane },
	{ "mtasts", seeds_mtasts },
	{ "dns", seeds_dns },
};

static int	seeds_run(const char *, const struct harness *);
static int	seeds_file(const char *, const struct harness *);

/* Feed one file to a harness; 0, or -1 when it cannot be read. */
static int
seeds_file(const char *path, const struct harness *h)
{
	struct stat	 st;
	FILE		*fp;
	uint8_t		*buf = NULL;
	size_t		 n;
	int		 rv = -1;

	if ((fp = fopen(path, "rb")) == NULL ||
	    fstat(fileno(fp), &st) == -1) {
		fprintf(stderr, "seeds: %s: %s\n", path, strerror(errno));
		goto fail;
	}
	if (st.st_size > SEED_MAX) {
		fprintf(stderr, "seeds: %s: over 1 MiB\n", path);
		goto fail;
	}
	/* Exactly the input's size, so ASan sees a read past its end. */
	n = (size_t)st.st_size;
	if ((buf = malloc(n > 0 ? n : 1)) == NULL ||
	    fread(buf, 1, n, fp) != n) {
		fprintf(stderr, "seeds: %s: cannot read it\n", path);
		goto fail;
	}
	/* A hang bound: SIGALRM's default action ends the test. */
	alarm(SEED_SECS);
	(void)h->one(buf, n);
	alarm(0);
	rv = 0;
fail:
	free(buf);
	if (fp != NULL)
		fclose(fp);
	return rv;
}

/* Every regular file of DIR/NAME through one harness; the count or -1. */
static int
seeds_run(const char *dir, const struct harness *h)
{
	char		 path[4096];
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	int		 count = 0, bad = 0;

	if (snprintf(path, sizeof path, "%s/%s", dir, h->name) >=
	    (int)sizeof path || (d = opendir(path)) == NULL) {
		fprintf(stderr, "seeds: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof path, "%s/%s/%s", dir, h->name,
		    de->d_name) >= (int)sizeof path) {
			bad = 1;
			continue;
		}
		if (stat(path, &st) == -1 || !S_ISREG(st.st_mode))
			continue;
		printf("fuzz-%s %s\n", h->name, de->d_name);
		fflush(stdout);
		if (seeds_file(path, h) == -1)
			bad = 1;
		else
			count++;
	}
	closedir(d);
	return bad ? -1 : count;
}

int
main(int argc, char **argv)
{
	char		 def[4096];
	const char	*dir, *top;
	size_t		 i;
	int		 a, n, rv = 0, picked;

	if (argc > 1)
		dir = argv[1];
	else {
		top = getenv("top_srcdir");
		if (snprintf(def, sizeof def, "%s/tests/fuzz/corpus",
		    top != NULL ? top : ".") >= (int)sizeof def) {
			fprintf(stderr, "seeds: top_srcdir too long\n");
			return 1;
		}
		dir = def;
	}
	for (i = 0; i < sizeof harnesses / sizeof harnesses[0]; i++) {
		picked = argc <= 2;
		for (a = 2; a < argc; a++)
			if (strcmp(argv[a], harnesses[i].name) == 0)
				picked = 1;
		if (!picked)
			continue;
		n = seeds_run(dir, &harnesses[i]);
		if (n <= 0) {
			fprintf(stderr, "FAIL: fuzz-%s: %s\n", harnesses[i].name,
			    n == 0 ? "no seed in its corpus" :
			    "its corpus could not be read");
			rv = 1;
		} else
			printf("ok: fuzz-%s: %d seeds\n", harnesses[i].name, n);
	}
	return rv;
}

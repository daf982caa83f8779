/*
 * mtasts: MTA-STS policies (RFC 8461): the TXT record, the policy text,
 * MX patterns, the HTTPS fetch (libcurl on GnuTLS) and the cache logic
 * of section 5.1 over the store.
 *
 * libcurl is used here only, and loaded only here: dlopen() on the first
 * fetch (its libraries, HTTP/2, SSH, LDAP, Kerberos..., would add 3 MiB
 * to every tern process, also to those that never fetch a policy).  Its
 * global initialisation runs once with the loading (pthread_once:
 * curl_global_init is not thread-safe in every version);
 * each fetch has its own easy handle, CURLOPT_NOSIGNAL, so fetches may
 * run in parallel threads.  What a server supplies (curl's error text,
 * which quotes certificate names; parts of a policy) is sanitized before
 * it reaches an error message.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "buf.h"
#include "dns.h"
#include "err.h"
#include "mtasts.h"
#include "store.h"
#include "text.h"
#include "xmalloc.h"

#define MTASTS_HOST_MAX	253
#define MTASTS_CA_DIR	"/etc/ssl/certs"
#define MTASTS_BUNDLE	"/etc/ssl/certs/ca-certificates.crt"

/* A body being received. */
struct mtasts_body {
	struct buf	 b;
	int		 over;		/* 1: past MTASTS_BODY_MAX */
};

static const char *mtasts_mode_names[MTASTS_MODE_LAST] = {
	"none", "testing", "enforce"
};
static const char *mtasts_source_names[MTASTS_SRC_LAST] = {
	"none", "fetched", "cached"
};
static const char *mtasts_fail_names[MTASTS_FAIL_LAST] = {
	"none", "dns", "connect", "certificate", "redirect", "http", "type",
	"size", "parse"
};

static pthread_once_t	 mtasts_once = PTHREAD_ONCE_INIT;
static CURLcode		 mtasts_init_rc = CURLE_FAILED_INIT;

static int	 mtasts_wsp(char);
static int	 mtasts_alnum(char);
static int	 mtasts_host(const char *, size_t, int, char *, size_t);
static int	 mtasts_mode_parse(const char *, enum mtasts_mode *);
static int	 mtasts_perr(struct err **, size_t, const char *,
		    const char *, size_t);
static void	 mtasts_mx_add(struct mtasts_policy *, const char *);
static void	 mtasts_init(void);
static size_t	 mtasts_write(char *, size_t, size_t, void *);
static int	 mtasts_text_plain(const char *);
static int	 mtasts_get(const char *, const char *const *, const char *,
		    int, char **, enum mtasts_fail *, struct err **);
static int	 mtasts_from_store(const struct store_sts *,
		    struct mtasts_policy *);
static void	 mtasts_to_store(const struct mtasts_policy *,
		    struct store_sts *);
static void	 mtasts_failed(struct mtasts_policy *, enum mtasts_fail,
		    const char *, const struct err *);

/* Names of the enums. */
const char *
mtasts_mode_name(enum mtasts_mode m)
{
	return m < MTASTS_MODE_LAST ? mtasts_mode_names[m] : "unknown";
}

const char *
mtasts_source_name(enum mtasts_source s)
{
	return s < MTASTS_SRC_LAST ? mtasts_source_names[s] : "unknown";
}

const char *
mtasts_fail_name(enum mtasts_fail f)
{
	return f < MTASTS_FAIL_LAST ? mtasts_fail_names[f] : "unknown";
}

/* RFC 5234 WSP. */
static int
mtasts_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* ALPHA / DIGIT, in ASCII whatever the locale. */
static int
mtasts_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/*
 * Check the host name (or, with wild, the "*.domain" pattern) s of len
 * bytes, a final dot allowed, and copy it lower case without the dot into
 * out; 0, or -1 when it is not one.
 */
static int
mtasts_host(const char *s, size_t len, int wild, char *out, size_t size)
{
	size_t	 i, o = 0, label = 0;
	char	 c;

	if (wild && len >= 2 && s[0] == '*' && s[1] == '.') {
		out[o++] = '*';
		out[o++] = '.';
		s += 2;
		len -= 2;
	}
	if (len > 1 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > MTASTS_HOST_MAX || o + len >= size)
		return -1;
	for (i = 0; i < len; i++) {
		c = s[i];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c == '.') {
			if (label == 0)
				return -1;
			label = 0;
		} else if (mtasts_alnum(c) || c == '-' || c == '_') {
			if (++label > 63)
				return -1;
		} else
			return -1;
		out[o++] = c;
	}
	if (label == 0)
		return -1;
	out[o] = '\0';
	return 0;
}

/* A mode's name to its value; 0, or -1 when it is none of them. */
static int
mtasts_mode_parse(const char *s, enum mtasts_mode *m)
{
	int	 i;

	for (i = 0; i < MTASTS_MODE_LAST; i++)
		if (strcmp(s, mtasts_mode_names[i]) == 0) {
			*m = (enum mtasts_mode)i;
			return 0;
		}
	return -1;
}

/* A TXT record's id (3.1). */
int
mtasts_txt_id(const char *txt, char **id)
{
	const char	*p, *v;
	size_t		 n;
	char		*found = NULL;

	*id = NULL;
	if (txt == NULL || strncmp(txt, "v=STSv1", 7) != 0)
		return 0;
	p = txt + 7;
	if (*p != ';' && !mtasts_wsp(*p))
		return 0;
	/* 1*(sts-field-delim sts-field) [sts-field-delim] */
	for (;;) {
		while (mtasts_wsp(*p))
			p++;
		if (*p == '\0')
			break;
		if (*p++ != ';')
			goto bad;
		while (mtasts_wsp(*p))
			p++;
		if (*p == '\0')
			break;
		/* sts-field: "id=" 1*32(ALPHA / DIGIT), or an extension. */
		if (strncmp(p, "id=", 3) == 0) {
			v = p += 3;
			while (mtasts_alnum(*p))
				p++;
			n = (size_t)(p - v);
			if (n == 0 || n > MTASTS_ID_MAX)
				goto bad;
			if (found == NULL)
				found = xstrndup(v, n);
			continue;
		}
		if (!mtasts_alnum(*p))
			goto bad;
		for (v = p++; mtasts_alnum(*p) || *p == '_' || *p == '-' ||
		    *p == '.'; p++)
			;
		if (p - v > 32 || *p++ != '=')
			goto bad;
		for (v = p; *p > 0x20 && *p < 0x7f && *p != ';' && *p != '=';
		    p++)
			;
		if (p == v)
			goto bad;
	}
	if (found == NULL)
		return -1;
	*id = found;
	return 1;

bad:
	free(found);
	return -1;
}

/*
 * The parse error of line n: why, and the text it is about (sanitized,
 * cut), if any; -1.
 */
static int
mtasts_perr(struct err **errp, size_t n, const char *why, const char *what,
    size_t len)
{
	char	*s;
	int	 rv;

	if (what == NULL)
		return err_set(errp, ERR_PROTOCOL, 0, "MTA-STS policy: line "
		    "%zu: %s", n, why);
	s = text_sanitize_line(what, len > 64 ? 64 : len);
	rv = err_set(errp, ERR_PROTOCOL, 0, "MTA-STS policy: line %zu: %s "
	    "\"%s%s\"", n, why, s, len > 64 ? "..." : "");
	free(s);
	return rv;
}

/* Append a pattern. */
static void
mtasts_mx_add(struct mtasts_policy *p, const char *mx)
{
	p->mx = xreallocarray(p->mx, p->nmx + 1, sizeof *p->mx);
	p->mx[p->nmx++] = xstrdup(mx);
}

/* Parse a policy (3.2). */
int
mtasts_parse(const char *text, size_t len, struct mtasts_policy *p,
    struct err **errp)
{
	const char	*line, *end, *nl, *key, *colon, *v, *ve;
	char		 host[MTASTS_HOST_MAX + 3], num[16];
	size_t		 n = 0, klen, vlen, i;
	int		 have_version = 0, have_mode = 0, have_age = 0;
	long long	 age;

	memset(p, 0, sizeof *p);
	if (len > MTASTS_BODY_MAX)
		return err_set(errp, ERR_PROTOCOL, 0, "MTA-STS policy: over "
		    "%d bytes", MTASTS_BODY_MAX);
	if (memchr(text, '\0', len) != NULL)
		return err_set(errp, ERR_PROTOCOL, 0, "MTA-STS policy: it "
		    "holds a NUL byte: not a text policy");
	end = text + len;
	for (line = text; line < end; line = nl + 1) {
		n++;
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		ve = nl;
		if (ve > line && ve[-1] == '\r')
			ve--;
		while (ve > line && mtasts_wsp(ve[-1]))
			ve--;
		if (ve == line)
			continue;	/* a blank line */
		/* sts-policy-ext-name ":" *WSP value */
		key = line;
		if ((colon = memchr(line, ':', (size_t)(ve - line))) == NULL) {
			mtasts_perr(errp, n, "not \"key: value\":", line,
			    (size_t)(ve - line));
			goto fail;
		}
		klen = (size_t)(colon - key);
		if (klen == 0 || klen > 32 || !mtasts_alnum(key[0])) {
			mtasts_perr(errp, n, "not a key:", key, klen);
			goto fail;
		}
		for (i = 1; i < klen; i++)
			if (!mtasts_alnum(key[i]) && key[i] != '_' &&
			    key[i] != '-' && key[i] != '.') {
				mtasts_perr(errp, n, "not a key:", key, klen);
				goto fail;
			}
		for (v = colon + 1; v < ve && mtasts_wsp(*v); v++)
			;
		vlen = (size_t)(ve - v);

		if (klen == 7 && memcmp(key, "version", 7) == 0) {
			if (have_version++)
				continue;
			if (vlen != 5 || memcmp(v, "STSv1", 5) != 0) {
				mtasts_perr(errp, n, "version is not STSv1:",
				    v, vlen);
				goto fail;
			}
		} else if (klen == 4 && memcmp(key, "mode", 4) == 0) {
			if (have_mode++)
				continue;
			for (i = 0; i < MTASTS_MODE_LAST; i++)
				if (vlen == strlen(mtasts_mode_names[i]) &&
				    memcmp(v, mtasts_mode_names[i], vlen) ==
				    0)
					break;
			if (i == MTASTS_MODE_LAST) {
				mtasts_perr(errp, n, "mode is not enforce, "
				    "testing or none:", v, vlen);
				goto fail;
			}
			p->mode = (enum mtasts_mode)i;
		} else if (klen == 7 && memcmp(key, "max_age", 7) == 0) {
			if (have_age++)
				continue;
			/* 1*10(DIGIT) */
			for (i = 0; i < vlen; i++)
				if (v[i] < '0' || v[i] > '9')
					break;
			if (vlen == 0 || vlen > 10 || i < vlen) {
				mtasts_perr(errp, n, "max_age is not a number "
				    "of seconds:", v, vlen);
				goto fail;
			}
			memcpy(num, v, vlen);
			num[vlen] = '\0';
			age = strtoll(num, NULL, 10);
			if (age > MTASTS_MAX_AGE_MAX) {
				mtasts_perr(errp, n, "max_age is over "
				    "31557600 seconds (a year):", v, vlen);
				goto fail;
			}
			p->max_age = age;
		} else if (klen == 2 && memcmp(key, "mx", 2) == 0) {
			if (mtasts_host(v, vlen, 1, host, sizeof host) == -1) {
				mtasts_perr(errp, n, "mx is not a host name "
				    "or *.domain pattern:", v, vlen);
				goto fail;
			}
			mtasts_mx_add(p, host);
		}
		/* Any other key is an extension: ignored (3.2). */
	}
	if (!have_version)
		err_set(errp, ERR_PROTOCOL, 0, "MTA-STS policy: no version "
		    "(\"version: STSv1\")");
	else if (!have_mode)
		err_set(errp, ERR_PROTOCOL, 0, "MTA-STS policy: no mode "
		    "(enforce, testing or none)");
	else if (!have_age)
		err_set(errp, ERR_PROTOCOL, 0, "MTA-STS policy: no max_age");
	else if (p->nmx == 0 && p->mode != MTASTS_NONE)
		err_set(errp, ERR_PROTOCOL, 0, "MTA-STS policy: mode %s "
		    "without an mx pattern", mtasts_mode_name(p->mode));
	else
		return 0;

fail:
	mtasts_policy_clear(p);
	return -1;
}

/* Does an MX host match a pattern of the policy? */
int
mtasts_mx_match(const struct mtasts_policy *p, const char *mx)
{
	char		 host[MTASTS_HOST_MAX + 3];
	const char	*pat, *dot;
	size_t		 i, hl, sl;

	if (p == NULL || mx == NULL ||
	    mtasts_host(mx, strlen(mx), 0, host, sizeof host) == -1)
		return 0;
	hl = strlen(host);
	for (i = 0; i < p->nmx; i++) {
		pat = p->mx[i];
		if (pat[0] == '*' && pat[1] == '.') {
			/* One label, then ".domain" exactly. */
			if ((dot = strchr(host, '.')) == NULL || dot == host)
				continue;
			sl = strlen(pat + 1);
			if (hl - (size_t)(dot - host) == sl &&
			    strcasecmp(dot, pat + 1) == 0)
				return 1;
		} else if (strcasecmp(host, pat) == 0)
			return 1;
	}
	return 0;
}

/* Free what a policy holds. */
void
mtasts_policy_clear(struct mtasts_policy *p)
{
	size_t	 i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nmx; i++)
		free(p->mx[i]);
	free(p->mx);
	free(p->id);
	free(p->failure);
	memset(p, 0, sizeof *p);
}

/* The libcurl functions tern calls, from the loaded library. */
static struct {
	CURLcode	 (*global_init)(long);
	CURL		*(*easy_init)(void);
	CURLcode	 (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode	 (*easy_perform)(CURL *);
	CURLcode	 (*easy_getinfo)(CURL *, CURLINFO, ...);
	void		 (*easy_cleanup)(CURL *);
	const char	*(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void		 (*slist_free_all)(struct curl_slist *);
} mc;
static char	 mtasts_dlerr[256];

/* The library's name: Debian's GnuTLS build first, then any libcurl. */
static const char *const mtasts_sonames[] = {
	"libcurl-gnutls.so.4", "libcurl.so.4", "libcurl.so", NULL
};

/* Load libcurl and set up its global state, once. */
static void
mtasts_init(void)
{
	void	*lib = NULL;
	size_t	 i;

	mtasts_init_rc = CURLE_FAILED_INIT;
	for (i = 0; lib == NULL && mtasts_sonames[i] != NULL; i++)
		lib = dlopen(mtasts_sonames[i], RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL) {
		snprintf(mtasts_dlerr, sizeof mtasts_dlerr, "libcurl could not "
		    "be loaded (Debian: apt-get install libcurl3-gnutls)");
		return;
	}
#define MTASTS_SYM(f, name) do {					\
	*(void **)&mc.f = dlsym(lib, name);				\
	if (mc.f == NULL) {						\
		snprintf(mtasts_dlerr, sizeof mtasts_dlerr, "libcurl "	\
		    "lacks %s", name);					\
		return;							\
	}								\
} while (0)
	MTASTS_SYM(global_init, "curl_global_init");
	MTASTS_SYM(easy_init, "curl_easy_init");
	MTASTS_SYM(easy_setopt, "curl_easy_setopt");
	MTASTS_SYM(easy_perform, "curl_easy_perform");
	MTASTS_SYM(easy_getinfo, "curl_easy_getinfo");
	MTASTS_SYM(easy_cleanup, "curl_easy_cleanup");
	MTASTS_SYM(easy_strerror, "curl_easy_strerror");
	MTASTS_SYM(slist_append, "curl_slist_append");
	MTASTS_SYM(slist_free_all, "curl_slist_free_all");
#undef MTASTS_SYM
	/* Kept loaded for the process's life: fetches may come again. */
	mtasts_init_rc = mc.global_init(CURL_GLOBAL_DEFAULT);
	if (mtasts_init_rc != CURLE_OK)
		snprintf(mtasts_dlerr, sizeof mtasts_dlerr, "libcurl: cannot "
		    "initialise: %s", mc.easy_strerror(mtasts_init_rc));
}

/* libcurl's write callback: keep the body, up to the limit. */
static size_t
mtasts_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct mtasts_body	*b = arg;
	size_t			 n = size * nmemb;

	if (b->b.len + n > MTASTS_BODY_MAX) {
		b->over = 1;
		return 0;	/* libcurl ends the transfer */
	}
	buf_add(&b->b, data, n);
	return n;
}

/* 1 when a Content-Type is text/plain (parameters allowed). */
static int
mtasts_text_plain(const char *ct)
{
	if (ct == NULL || strncasecmp(ct, "text/plain", 10) != 0)
		return 0;
	ct += 10;
	while (mtasts_wsp(*ct))
		ct++;
	return *ct == '\0' || *ct == ';';
}

/* The fetch, with what failed in *kind. */
static int
mtasts_get(const char *domain, const char *const *addrs,
    const char *ca_file, int timeout, char **body, enum mtasts_fail *kind,
    struct err **errp)
{
	struct mtasts_body	 b;
	struct curl_slist	*resolve = NULL;
	struct buf		 pin = BUF_INIT;
	unsigned char		 a[sizeof(struct in6_addr)];
	char			 host[MTASTS_HOST_MAX + 3], errbuf[CURL_ERROR_SIZE];
	char			*url = NULL, *why = NULL, *ct;
	CURL			*h = NULL;
	CURLcode		 rc;
	long			 code = 0;
	size_t			 i, naddr = 0;
	int			 rv = -1;

	memset(&b, 0, sizeof b);
	*body = NULL;
	*kind = MTASTS_FAIL_CONNECT;
	errbuf[0] = '\0';
	if (domain == NULL || strlen(domain) > MTASTS_HOST_MAX - 8 ||
	    mtasts_host(domain, strlen(domain), 0, host, sizeof host) == -1) {
		*kind = MTASTS_FAIL_DNS;
		return err_set(errp, ERR_INPUT, 0, "MTA-STS: not a domain "
		    "name");
	}
	if (ca_file != NULL && access(ca_file, R_OK) != 0)
		return err_set(errp, ERR_CONFIG, 0, "ca_file %s: cannot read "
		    "it", ca_file);

	/* mta-sts.DOMAIN:443:ADDR,[ADDR6]: only these, nothing resolved. */
	buf_addf(&pin, "mta-sts.%s:443:", host);
	for (i = 0; addrs != NULL && addrs[i] != NULL; i++) {
		if (inet_pton(AF_INET, addrs[i], a) == 1)
			buf_addf(&pin, "%s%s", naddr++ ? "," : "", addrs[i]);
		else if (inet_pton(AF_INET6, addrs[i], a) == 1)
			buf_addf(&pin, "%s[%s]", naddr++ ? "," : "",
			    addrs[i]);
	}
	if (naddr == 0) {
		*kind = MTASTS_FAIL_DNS;
		err_set(errp, ERR_CONNECTION, 1, "mta-sts.%s has no address",
		    host);
		goto fail;
	}
	url = xasprintf("https://mta-sts.%s/.well-known/mta-sts.txt", host);

	pthread_once(&mtasts_once, mtasts_init);
	if (mtasts_init_rc != CURLE_OK) {
		err_set(errp, ERR_INTERNAL, 1, "MTA-STS policy not fetched: %s",
		    mtasts_dlerr);
		goto fail;
	}
	if ((h = mc.easy_init()) == NULL ||
	    (resolve = mc.slist_append(NULL, pin.s)) == NULL) {
		err_set(errp, ERR_INTERNAL, 1, "libcurl: out of memory");
		goto fail;
	}
	/* Every option's result is checked once: any refusal is a bug. */
	rc = CURLE_OK;
#define MTASTS_OPT(o, v) do {						\
	if (rc == CURLE_OK)						\
		rc = mc.easy_setopt(h, o, v);				\
} while (0)
	MTASTS_OPT(CURLOPT_URL, url);
	MTASTS_OPT(CURLOPT_RESOLVE, resolve);
	MTASTS_OPT(CURLOPT_PROTOCOLS_STR, "https");
	MTASTS_OPT(CURLOPT_FOLLOWLOCATION, 0L);
	MTASTS_OPT(CURLOPT_PROXY, "");
	MTASTS_OPT(CURLOPT_NOPROXY, "*");
	MTASTS_OPT(CURLOPT_NOSIGNAL, 1L);
	MTASTS_OPT(CURLOPT_SSL_VERIFYPEER, 1L);
	MTASTS_OPT(CURLOPT_SSL_VERIFYHOST, 2L);
	MTASTS_OPT(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	/* The system's trust store and ca_file's anchors beside it. */
	if (ca_file != NULL)
		MTASTS_OPT(CURLOPT_CAINFO, ca_file);
	else if (access(MTASTS_BUNDLE, R_OK) == 0)
		MTASTS_OPT(CURLOPT_CAINFO, MTASTS_BUNDLE);
	else
		MTASTS_OPT(CURLOPT_CAINFO, (char *)NULL);
	if (access(MTASTS_CA_DIR, R_OK | X_OK) == 0)
		MTASTS_OPT(CURLOPT_CAPATH, MTASTS_CA_DIR);
	else
		MTASTS_OPT(CURLOPT_CAPATH, (char *)NULL);
	MTASTS_OPT(CURLOPT_TIMEOUT, (long)(timeout > 0 ? timeout : 60));
	MTASTS_OPT(CURLOPT_MAXFILESIZE, (long)MTASTS_BODY_MAX);
	MTASTS_OPT(CURLOPT_WRITEFUNCTION, mtasts_write);
	MTASTS_OPT(CURLOPT_WRITEDATA, &b);
	MTASTS_OPT(CURLOPT_ERRORBUFFER, errbuf);
	MTASTS_OPT(CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
#undef MTASTS_OPT
	if (rc != CURLE_OK) {
		err_set(errp, ERR_INTERNAL, 0, "libcurl refused an option: %s",
		    mc.easy_strerror(rc));
		goto fail;
	}

	rc = mc.easy_perform(h);
	why = text_sanitize_line(errbuf[0] != '\0' ? errbuf :
	    mc.easy_strerror(rc), strlen(errbuf[0] != '\0' ? errbuf :
	    mc.easy_strerror(rc)));
	switch (rc) {
	case CURLE_OK:
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
#if LIBCURL_VERSION_NUM < 0x073e00
	case CURLE_SSL_CACERT:
#endif
		*kind = MTASTS_FAIL_CERT;
		err_set(errp, ERR_POLICY, 1, "%s: the certificate of "
		    "mta-sts.%s could not be verified: %s", url, host, why);
		goto fail;
	case CURLE_SSL_CACERT_BADFILE:
		*kind = MTASTS_FAIL_CERT;
		err_set(errp, ERR_CONFIG, 0, "%s: the trusted certificates "
		    "could not be loaded (ca_file?): %s", url, why);
		goto fail;
	case CURLE_FILESIZE_EXCEEDED:
		*kind = MTASTS_FAIL_SIZE;
		err_set(errp, ERR_PROTOCOL, 0, "%s: the policy is over %d "
		    "bytes", url, MTASTS_BODY_MAX);
		goto fail;
	case CURLE_WRITE_ERROR:
		if (b.over) {
			*kind = MTASTS_FAIL_SIZE;
			err_set(errp, ERR_PROTOCOL, 0, "%s: the policy is "
			    "over %d bytes", url, MTASTS_BODY_MAX);
			goto fail;
		}
		/* FALLTHROUGH */
	default:
		err_set(errp, ERR_CONNECTION, 1, "%s: %s", url, why);
		goto fail;
	}
	(void)mc.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 300 && code < 400) {
		*kind = MTASTS_FAIL_REDIRECT;
		err_set(errp, ERR_PROTOCOL, 0, "%s: the server answered with a "
		    "redirect (HTTP %ld), which RFC 8461 forbids following",
		    url, code);
		goto fail;
	}
	if (code < 200 || code > 299) {
		*kind = MTASTS_FAIL_HTTP;
		err_set(errp, ERR_REJECTED, code >= 500, "%s: the server "
		    "answered HTTP %ld, not a policy", url, code);
		goto fail;
	}
	ct = NULL;
	(void)mc.easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
	if (!mtasts_text_plain(ct)) {
		free(why);
		why = ct != NULL ? text_sanitize_line(ct, strlen(ct) > 64 ?
		    64 : strlen(ct)) : xstrdup("none");
		*kind = MTASTS_FAIL_TYPE;
		err_set(errp, ERR_PROTOCOL, 0, "%s: the policy's type is %s, "
		    "not text/plain", url, why);
		goto fail;
	}
	buf_add(&b.b, "", 0);
	*body = buf_steal(&b.b);
	*kind = MTASTS_FAIL_NONE;
	rv = 0;

fail:
	if (h != NULL)
		mc.easy_cleanup(h);
	if (resolve != NULL)
		mc.slist_free_all(resolve);
	buf_free(&b.b);
	buf_free(&pin);
	free(url);
	free(why);
	return rv;
}

/* Fetch a domain's policy text. */
int
mtasts_fetch(const char *domain, const char *const *addrs,
    const char *ca_file, int timeout, char **body, struct err **errp)
{
	enum mtasts_fail	 kind;

	return mtasts_get(domain, addrs, ca_file, timeout, body, &kind,
	    errp);
}

/* A stored policy as a policy; 0, or -1 when the row makes no sense. */
static int
mtasts_from_store(const struct store_sts *s, struct mtasts_policy *p)
{
	char		 host[MTASTS_HOST_MAX + 3];
	const char	*l, *nl;

	memset(p, 0, sizeof *p);
	if (mtasts_mode_parse(s->mode, &p->mode) == -1 || s->max_age < 0 ||
	    s->max_age > MTASTS_MAX_AGE_MAX)
		return -1;
	for (l = s->mx; l != NULL && *l != '\0'; l = nl) {
		if ((nl = strchr(l, '\n')) == NULL)
			nl = l + strlen(l);
		if (mtasts_host(l, (size_t)(nl - l), 1, host,
		    sizeof host) == 0)
			mtasts_mx_add(p, host);
		if (*nl == '\n')
			nl++;
	}
	if (p->nmx == 0 && p->mode != MTASTS_NONE) {
		mtasts_policy_clear(p);
		return -1;
	}
	p->max_age = s->max_age;
	p->id = xstrdup(s->id);
	p->fetched = s->fetched;
	p->source = MTASTS_SRC_CACHED;
	return 0;
}

/* A policy as a row (pointers into p; mx a new string, caller frees). */
static void
mtasts_to_store(const struct mtasts_policy *p, struct store_sts *s)
{
	struct buf	 b = BUF_INIT;
	size_t		 i;

	buf_add(&b, "", 0);
	for (i = 0; i < p->nmx; i++)
		buf_addf(&b, "%s%s", i ? "\n" : "", p->mx[i]);
	s->id = p->id;
	s->mode = (char *)mtasts_mode_name(p->mode);
	s->mx = buf_steal(&b);
	s->max_age = p->max_age;
	s->fetched = p->fetched;
	s->checked = p->fetched;
}

/* Keep why no fresh policy could be had. */
static void
mtasts_failed(struct mtasts_policy *p, enum mtasts_fail kind,
    const char *what, const struct err *e)
{
	p->fail = kind;
	free(p->failure);
	p->failure = xasprintf("MTA-STS policy could not be %s: %s", what,
	    e != NULL && e->msg != NULL ? e->msg : "unknown error");
}

/* The policy for a domain, RFC 8461 5.1. */
int
mtasts_policy_for(struct store *st, const char *rhost, int rport,
    const char *ca_file, int timeout, const char *domain, time_t now,
    struct mtasts_policy *out, struct err **errp)
{
	struct store_sts	 row, put;
	struct mtasts_policy	 cached, fresh;
	struct err		*e = NULL;
	enum mtasts_fail	 kind;
	char			 host[MTASTS_HOST_MAX + 3], name[300];
	char			**txts = NULL, **addrs = NULL, *id = NULL, *t;
	char			*body = NULL;
	size_t			 ntxt = 0, naddr = 0, i, nsts = 0;
	int			 secure, have_cache = 0, r, rv = -1;
	int			 txt_failed = 0;

	memset(out, 0, sizeof *out);
	memset(&row, 0, sizeof row);
	memset(&cached, 0, sizeof cached);
	memset(&fresh, 0, sizeof fresh);
	if (domain == NULL || strlen(domain) > MTASTS_HOST_MAX - 8 ||
	    mtasts_host(domain, strlen(domain), 0, host, sizeof host) == -1)
		return err_set(errp, ERR_INPUT, 0, "MTA-STS: not a domain "
		    "name");

	/* The TXT record: exactly one that begins "v=STSv1", valid. */
	snprintf(name, sizeof name, "_mta-sts.%s", host);
	if (dns_txt_lookup(name, rhost, rport, timeout, &txts, &ntxt,
	    &secure, &e) == -1)
		txt_failed = 1;
	for (i = 0; i < ntxt; i++) {
		if ((r = mtasts_txt_id(txts[i], &t)) == 0)
			continue;
		if (nsts++ == 0 && r == 1)
			id = t;
		else
			free(t);
	}
	if (nsts != 1) {
		free(id);
		id = NULL;
	}

	/* The cache: a policy still within its max_age (no store: none). */
	memset(&row, 0, sizeof row);
	if (st == NULL)
		r = 0;
	else if ((r = store_sts_get(st, host, &row, errp)) == -1)
		goto fail;
	if (r == 1 && mtasts_from_store(&row, &cached) == 0 &&
	    (long long)now < cached.fetched + cached.max_age)
		have_cache = 1;

	if (id == NULL) {
		/* No usable record: the cache, else no policy (5.1). */
		if (have_cache) {
			*out = cached;
			memset(&cached, 0, sizeof cached);
		}
		if (txt_failed)
			mtasts_failed(out, MTASTS_FAIL_DNS, "looked up", e);
		rv = 0;
		goto fail;
	}
	if (have_cache && strcmp(cached.id, id) == 0) {
		/* The same policy, still fresh: no fetch. */
		if (st != NULL)
			(void)store_sts_checked(st, host, (long long)now,
			    NULL);
		*out = cached;
		memset(&cached, 0, sizeof cached);
		rv = 0;
		goto fail;
	}

	/* A new id, or an old policy: fetch it. */
	snprintf(name, sizeof name, "mta-sts.%s", host);
	err_free(e);
	e = NULL;
	if (dns_host_addrs(name, rhost, rport, timeout, &addrs, &naddr,
	    &e) == -1)
		kind = MTASTS_FAIL_DNS;
	else {
		addrs = xreallocarray(addrs, naddr + 1, sizeof *addrs);
		addrs[naddr] = NULL;
		if (mtasts_get(host, (const char *const *)addrs, ca_file,
		    timeout, &body, &kind, &e) == 0 &&
		    mtasts_parse(body, strlen(body), &fresh, &e) == -1)
			kind = MTASTS_FAIL_PARSE;
	}
	if (kind == MTASTS_FAIL_NONE) {
		fresh.id = id;
		id = NULL;
		fresh.source = MTASTS_SRC_FETCHED;
		fresh.fetched = (long long)now;
		mtasts_to_store(&fresh, &put);
		if (st != NULL)
			(void)store_sts_put(st, host, &put, NULL);
		free(put.mx);
		*out = fresh;
		memset(&fresh, 0, sizeof fresh);
	} else {
		/* The cached policy while it lasts, else none (5.1). */
		if (have_cache) {
			*out = cached;
			memset(&cached, 0, sizeof cached);
		}
		mtasts_failed(out, kind, "fetched", e);
	}
	rv = 0;

fail:
	err_free(e);
	dns_txt_free(txts, ntxt);
	dns_addrs_free(addrs, naddr);
	store_sts_clear(&row);
	mtasts_policy_clear(&cached);
	mtasts_policy_clear(&fresh);
	free(id);
	free(body);
	return rv;
}

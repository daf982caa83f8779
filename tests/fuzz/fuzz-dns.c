/*
 * fuzz-dns: libFuzzer harness for the DNS answers src/dns.c parses,
 * through the public path a resolver reaches: a UDP server thread on
 * loopback answers every query with the fuzz input made into a reply
 * glibc accepts (the query's ID and question, QR set, TC cleared):
 *
 *	input[0..1]	the header's flag bytes (AD, RCODE, ...)
 *	input[2..7]	ANCOUNT, NSCOUNT, ARCOUNT
 *	input[8..]	the records, after the copied question
 *
 * Then dns_mx_lookup, dns_host_addrs_secure, dns_tlsa_lookup and
 * dns_txt_lookup ask it.  Whatever the bytes: no crash or overread
 * (ASan), secure is 0 or 1, every MX host is a clean lower-case name,
 * TLSA data and TXT strings are as long as they say, and no error
 * message has a control character.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns.h"
#include "err.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define DNSF_MAX	4000

static int		 dnsf_fd = -1;
static int		 dnsf_port;
static pthread_mutex_t	 dnsf_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char	 dnsf_in[DNSF_MAX];
static size_t		 dnsf_len;
static volatile unsigned dnsf_sink;	/* what was read, kept */

/* Answer every query with the current input, forever. */
static void *
dnsf_server(void *arg)
{
	struct sockaddr_storage	 from;
	socklen_t		 flen;
	unsigned char		 q[512], r[DNSF_MAX + 512];
	ssize_t			 n;
	size_t			 qend, len;

	(void)arg;
	for (;;) {
		flen = sizeof from;
		n = recvfrom(dnsf_fd, q, sizeof q, 0,
		    (struct sockaddr *)&from, &flen);
		if (n < 17)
			continue;
		for (qend = 12; qend < (size_t)n && q[qend] != 0;)
			qend += q[qend] + 1;
		qend += 5;
		if (qend > (size_t)n)
			continue;
		memcpy(r, q, qend);
		pthread_mutex_lock(&dnsf_lock);
		r[2] = 0x80 | ((dnsf_len > 0 ? dnsf_in[0] : 0) & 0x7d);
		r[3] = dnsf_len > 1 ? dnsf_in[1] : 0;
		r[4] = 0;
		r[5] = 1;
		memset(r + 6, 0, 6);
		memcpy(r + 6, dnsf_in + 2, dnsf_len < 2 ? 0 :
		    dnsf_len > 8 ? 6 : dnsf_len - 2);
		len = qend;
		if (dnsf_len > 8) {
			memcpy(r + qend, dnsf_in + 8, dnsf_len - 8);
			len += dnsf_len - 8;
		}
		pthread_mutex_unlock(&dnsf_lock);
		sendto(dnsf_fd, r, len, 0, (struct sockaddr *)&from, flen);
	}
	return NULL;
}

/* The server socket and thread, once. */
static void
dnsf_setup(void)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof sin;
	pthread_t		 th;

	if (dnsf_fd != -1)
		return;
	if ((dnsf_fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		abort();
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(dnsf_fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    getsockname(dnsf_fd, (struct sockaddr *)&sin, &len) == -1)
		abort();
	dnsf_port = ntohs(sin.sin_port);
	if (pthread_create(&th, NULL, dnsf_server, NULL) != 0)
		abort();
	pthread_detach(th);
}

/* An error's words have no control character; free it. */
static void
dnsf_err(struct err *e)
{
	const char	*s;

	if (e == NULL)
		abort();
	for (s = e->msg; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
	err_free(e);
}

/* Ask the scripted server everything dns.c can ask. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_mxlist	 l;
	struct dns_tlsalist	 tl;
	struct err		*e = NULL;
	char			**a;
	const char		*s;
	size_t			 i, j, n;
	unsigned		 sum = 0;
	int			 secure;

	dnsf_setup();
	pthread_mutex_lock(&dnsf_lock);
	dnsf_len = size < DNSF_MAX ? size : DNSF_MAX;
	memcpy(dnsf_in, data, dnsf_len);
	pthread_mutex_unlock(&dnsf_lock);

	if (dns_mx_lookup("fuzz.test", "127.0.0.1", dnsf_port, 1, &l,
	    &e) == 0) {
		if (l.n == 0 || (l.secure != 0 && l.secure != 1))
			abort();
		for (i = 0; i < l.n; i++)
			for (s = l.v[i].host; *s != '\0'; s++)
				if (!((*s >= 'a' && *s <= 'z') ||
				    (*s >= '0' && *s <= '9') || *s == '-' ||
				    *s == '_' || *s == '.' || *s == ':'))
					abort();
		dns_mxlist_clear(&l);
	} else
		dnsf_err(e);
	e = NULL;

	if (dns_host_addrs_secure("mx.fuzz.test", "127.0.0.1", dnsf_port, 1,
	    &a, &n, &secure, &e) == 0) {
		if (n == 0 || (secure != 0 && secure != 1))
			abort();
		dns_addrs_free(a, n);
	} else
		dnsf_err(e);
	e = NULL;

	if (dns_tlsa_lookup("_25._tcp.mx.fuzz.test", "127.0.0.1", dnsf_port,
	    1, &tl, &e) == 0) {
		if (tl.secure != 0 && tl.secure != 1)
			abort();
		/* Every byte read: ASan says if one is not there. */
		for (i = 0; i < tl.n; i++)
			for (j = 0; j < tl.v[i].len; j++)
				sum += tl.v[i].data[j];
		dns_tlsalist_clear(&tl);
	} else
		dnsf_err(e);
	e = NULL;

	if (dns_txt_lookup("_mta-sts.fuzz.test", "127.0.0.1", dnsf_port, 1,
	    &a, &n, &secure, &e) == 0) {
		if (secure != 0 && secure != 1)
			abort();
		for (i = 0; i < n; i++)
			sum += strlen(a[i]);
		dns_txt_free(a, n);
	} else
		dnsf_err(e);
	dnsf_sink = sum;
	return 0;
}

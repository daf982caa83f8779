/*
 * fuzz-dane: libFuzzer harness for dane_verify, dane_usable and
 * dane_state on TLSA records and a certificate chain the input makes up:
 *
 *	byte 0		bits 0-2: the number of records (0-7);
 *			bit 7: the answer is not DNSSEC-validated
 *	per record	usage, selector, mtype, a 2-byte length (big
 *			endian), then that many bytes of data
 *	then		up to 4 certificates, each a 2-byte length and its DER
 *
 * (short input ends the list where it runs out).  The reference name is
 * mx.example.  Besides not crashing: a match names a usable record of the
 * right kind, DANE-TA only with the name, nothing matches when no record
 * is usable or the answer is not validated, and there are always words.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "dane.h"
#include "dns.h"

#define FD_RECORDS	7
#define FD_CERTS	4

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Take a 2-byte length and that many bytes from *p; 0, or -1 at the end. */
static int
fd_take(const uint8_t **p, const uint8_t *end, const uint8_t **data,
    size_t *len)
{
	if (end - *p < 2)
		return -1;
	*len = ((size_t)(*p)[0] << 8) | (*p)[1];
	*p += 2;
	if ((size_t)(end - *p) < *len)
		*len = (size_t)(end - *p);
	*data = *p;
	*p += *len;
	return 0;
}

/* Build the records and the chain, then check what dane_verify says. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "mx.example", NULL };
	const uint8_t		*p = data, *end = data + size, *d;
	struct dns_tlsa		 v[FD_RECORDS];
	struct dns_tlsalist	 l;
	struct dane_result	 res;
	gnutls_datum_t		 chain[FD_CERTS];
	unsigned int		 nc = 0;
	size_t			 i, want, len;
	int			 rv;

	if (size < 1)
		return 0;
	want = p[0] & 7;
	memset(&l, 0, sizeof l);
	l.v = v;
	l.secure = !(p[0] & 0x80);
	p++;
	while (l.n < want && end - p >= 3) {
		v[l.n].usage = p[0];
		v[l.n].selector = p[1];
		v[l.n].mtype = p[2];
		p += 3;
		if (fd_take(&p, end, &d, &len) == -1)
			break;
		/* A copy of exactly len bytes, so ASan sees a read past it. */
		v[l.n].data = len > 0 ? malloc(len) : NULL;
		if (len > 0 && v[l.n].data == NULL)
			break;
		if (len > 0)
			memcpy(v[l.n].data, d, len);
		v[l.n].len = len;
		l.n++;
	}
	while (nc < FD_CERTS && fd_take(&p, end, &d, &len) == 0) {
		chain[nc].data = (unsigned char *)(uintptr_t)d;
		chain[nc].size = (unsigned int)len;
		nc++;
	}

	rv = dane_verify(&l, chain, nc, names, &res);
	if (res.why == NULL || (rv == 0) != (res.how != DANE_NONE))
		abort();
	if ((dane_usable(&l) == 0 || !l.secure || nc == 0) && rv == 0)
		abort();
	if (dane_state(&l) == DANE_ON && dane_usable(&l) == 0)
		abort();
	if (rv == 0) {
		if (res.index >= l.n || !dane_record_usable(&v[res.index]) ||
		    v[res.index].usage != res.usage)
			abort();
		if (res.how == DANE_EE && res.usage != DANE_USAGE_DANE_EE)
			abort();
		if (res.how == DANE_TA && (res.usage != DANE_USAGE_DANE_TA ||
		    res.name == NULL || strcmp(res.name, names[0]) != 0))
			abort();
	}
	dane_result_clear(&res);
	for (i = 0; i < l.n; i++)
		free(v[i].data);
	return 0;
}

/*
 * dane: does a server's certificate chain match its TLSA records, as SMTP
 * uses them (RFC 7672, with RFC 6698 and RFC 7671).  Pure logic over
 * GnuTLS: no DNS, no sockets.  The records come from dns (struct
 * dns_tlsalist), the chain from the TLS handshake (DER, leaf first, as
 * gnutls_certificate_get_peers gives it).
 *
 * Usable for SMTP (RFC 7672 3.1) are the usages DANE-TA(2) and DANE-EE(3)
 * with the selectors Cert(0) and SPKI(1) and the matching types Full(0),
 * SHA2-256(1) and SHA2-512(2), the data of the length the matching type
 * implies.  PKIX-TA(0), PKIX-EE(1) and everything else are unusable.
 *
 * What the records mean for a connection (RFC 7672 2.2), dane_state:
 *   DANE_OFF       no records, or an answer not DNSSEC-validated (an
 *                  insecure answer counts as none): no DANE
 *   DANE_UNUSABLE  validated records, none usable: TLS is mandatory, but
 *                  without authentication
 *   DANE_ON        usable records: TLS is mandatory and the chain must
 *                  match one of them (dane_verify)
 * A bogus answer is no list at all: the lookup fails, and so must the
 * delivery to that MX.
 *
 * DANE-EE(3): the leaf's certificate or public key matches; no name and no
 * expiry check (RFC 7672 3.1.1).  DANE-TA(2): a certificate of the chain
 * above the leaf matches, or the record holds a whole trust anchor (2 0 0,
 * or 2 1 0: a bare public key, RFC 7671 5.2.2) that the server left out;
 * the chain from the leaf up to it must then verify with it as the only
 * trust anchor (the leaf and intermediates within their validity, the
 * leaf for TLS server use), and the leaf must name one of the reference
 * names (RFC 7672 3.2.3), wildcards as the whole left-most label only.
 * The trust anchor's own validity dates are not checked: the TLSA record,
 * not the certificate's dates, is what makes it a trust anchor, as for a
 * bare key, which has none (see RFC 7671 5.2).
 */
#ifndef TERN_DANE_H
#define TERN_DANE_H

#include <stddef.h>

#include <gnutls/gnutls.h>

struct dns_tlsa;
struct dns_tlsalist;

enum dane_usage {
	DANE_USAGE_PKIX_TA = 0,
	DANE_USAGE_PKIX_EE = 1,
	DANE_USAGE_DANE_TA = 2,
	DANE_USAGE_DANE_EE = 3
};

enum dane_selector {
	DANE_SEL_CERT = 0,
	DANE_SEL_SPKI = 1
};

enum dane_mtype {
	DANE_MT_FULL = 0,
	DANE_MT_SHA256 = 1,
	DANE_MT_SHA512 = 2
};

enum dane_state {
	DANE_OFF,
	DANE_UNUSABLE,
	DANE_ON
};

enum dane_how {
	DANE_NONE,		/* no record matched */
	DANE_EE,		/* a DANE-EE(3) record matched the leaf */
	DANE_TA			/* a DANE-TA(2) record: anchor, chain, name */
};

/*
 * The outcome of dane_verify.  how, and for a match the record (its three
 * numbers and its place in the list); why always holds words (a new
 * string): what matched, or why nothing did.  Free with dane_result_clear.
 */
struct dane_result {
	enum dane_how	 how;
	unsigned char	 usage, selector, mtype;
	size_t		 index;		/* the record's place in the list */
	unsigned int	 depth;		/* DANE_TA: the anchor's place in the
					   chain (1: the leaf's issuer); the
					   chain's length when the anchor is
					   the record itself */
	char		*name;		/* DANE_TA: the reference name the
					   leaf matched (a new string) */
	char		*why;		/* words for the user (a new string) */
};

/* 1 when a record is usable for SMTP (above), else 0; NULL gives 0. */
int		 dane_record_usable(const struct dns_tlsa *);
/*
 * The number of usable records in l; 0 when l is NULL or its answer was
 * not DNSSEC-validated (l->secure 0).
 */
size_t		 dane_usable(const struct dns_tlsalist *);
/* What l means for the connection (above); NULL gives DANE_OFF. */
enum dane_state	 dane_state(const struct dns_tlsalist *);
/*
 * Match the server's chain (n DER certificates, leaf first; borrowed)
 * against the usable records of l, DANE-EE(3) first.  names is the
 * NULL-terminated list of reference names for DANE-TA(2): the MX host
 * name and, when the MX name is a CNAME, its expansion (RFC 7672 3.2.3);
 * lower case, no trailing dot; NULL is an empty list.  Fills *out (whose
 * old contents are not freed: pass a zeroed or cleared one).  Returns 0
 * when a record matched, -1 when none did or there was none usable (an
 * unvalidated list, an empty chain, a certificate that does not parse):
 * out->how is DANE_NONE and out->why says why, e.g. "no TLSA record
 * matches the certificate (3 1 1 9f86d081...)" or "DANE-TA(2) record
 * 2 0 1 matches the certificate at depth 1, but the certificate does not
 * name mx.example".
 */
int		 dane_verify(const struct dns_tlsalist *, const gnutls_datum_t *,
		    unsigned int, const char *const *, struct dane_result *);
/* Free what a result holds and zero it; NULL-safe. */
void		 dane_result_clear(struct dane_result *);
/*
 * Words for one record, "3 1 1 9f86d081..." (the first 4 bytes of its data
 * in hex), into buf of size len (at least 32 is enough).  Returns buf.
 */
char		*dane_record_words(const struct dns_tlsa *, char *, size_t);

#endif

/* AUTH for an SMTP session: the mechanism, PLAIN/LOGIN and OAuth 2.0. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "err.h"
#include "etpan.h"
#include "secret.h"
#include "smtp-session.h"
#include "smtp-session-private.h"
#include "text.h"
#include "xmalloc.h"

/* What an EHLO's AUTH line offers. */
#define SS_MECH_PLAIN		0x01
#define SS_MECH_LOGIN		0x02
#define SS_MECH_OAUTHBEARER	0x04
#define SS_MECH_XOAUTH2		0x08
#define SS_MECH_OAUTH		(SS_MECH_OAUTHBEARER | SS_MECH_XOAUTH2)
#define SS_MECH_UNKNOWN		0x10	/* the EHLO reply is not at hand */
#define SS_MECH_WORDS_MAX	200	/* of a server's list, in reasons */
#define SS_AUTH_LINE_MAX	512	/* RFC 4954 4: else no initial response */

/* The mechanisms, by enum smtp_auth. */
static const struct {
	const char	*name;		/* on the wire */
	const char	*key;		/* auth = */
	int		 bit;
} ss_mechs[] = {
	{ "auto", "auto", 0 },
	{ "PLAIN", "plain", SS_MECH_PLAIN },
	{ "LOGIN", "login", SS_MECH_LOGIN },
	{ "OAUTHBEARER", "oauthbearer", SS_MECH_OAUTHBEARER },
	{ "XOAUTH2", "xoauth2", SS_MECH_XOAUTH2 }
};
#define SS_NMECHS	(sizeof ss_mechs / sizeof ss_mechs[0])

static const char ss_b64_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 of len bytes, in one allocation of exactly *outlen + 1 bytes. */
static char *
ss_b64_encode(const char *in, size_t len, size_t *outlen)
{
	const unsigned char	*p = (const unsigned char *)in;
	char			*out, *o;
	unsigned long		 v;
	size_t			 i;

	*outlen = 4 * ((len + 2) / 3);
	o = out = xmalloc(*outlen + 1);
	for (i = 0; i + 2 < len; i += 3) {
		v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 |
		    p[i + 2];
		*o++ = ss_b64_chars[v >> 18 & 63];
		*o++ = ss_b64_chars[v >> 12 & 63];
		*o++ = ss_b64_chars[v >> 6 & 63];
		*o++ = ss_b64_chars[v & 63];
	}
	if (i < len) {
		v = (unsigned long)p[i] << 16;
		if (i + 1 < len)
			v |= (unsigned long)p[i + 1] << 8;
		*o++ = ss_b64_chars[v >> 18 & 63];
		*o++ = ss_b64_chars[v >> 12 & 63];
		*o++ = i + 1 < len ? ss_b64_chars[v >> 6 & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

/* Decode base64 text (up to its first '=' or blank); NULL if it is not. */
static char *
ss_b64_decode(const char *in, size_t *outlen)
{
	const char	*c;
	char		*out;
	unsigned long	 v = 0;
	size_t		 n = 0, bits = 0;

	out = xmalloc(strlen(in) / 4 * 3 + 4);
	for (; *in != '\0' && *in != '=' && *in != ' ' && *in != '\r' &&
	    *in != '\n'; in++) {
		if ((c = strchr(ss_b64_chars, *in)) == NULL) {
			free(out);
			return NULL;
		}
		v = (v << 6 | (unsigned long)(c - ss_b64_chars)) & 0xffffff;
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[n++] = (char)(v >> bits & 0xff);
		}
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

/*
 * What the EHLO reply's AUTH line offers (SS_MECH_*; "AUTH=" of old
 * servers too), and the words of its first AUTH line, sanitized, in
 * *words (caller frees).  A kept connection no longer has its EHLO
 * reply: then libetpan's flags give PLAIN and LOGIN, with SS_MECH_UNKNOWN.
 */
static int
ss_auth_offered(struct ss *s, char **words)
{
	struct buf	 b = BUF_INIT;
	const char	*line, *p, *w, *end;
	size_t		 len, wl, i;
	int		 mask = 0, found = 0;

	*words = NULL;
	for (line = etpan_smtp_text(s->smtp); line != NULL && *line != '\0';
	    line = p != NULL ? p + 1 : NULL) {
		p = strchr(line, '\n');
		len = p != NULL ? (size_t)(p - line) : strlen(line);
		if (len < 4 || strncasecmp(line, "AUTH", 4) != 0 ||
		    (len > 4 && line[4] != ' ' && line[4] != '='))
			continue;
		end = line + len;
		for (w = line + 4; w < end; w += wl) {
			while (w < end && (*w == ' ' || *w == '=' ||
			    *w == '\r'))
				w++;
			for (wl = 0; w + wl < end && w[wl] != ' ' &&
			    w[wl] != '\r'; wl++)
				;
			if (wl == 0)
				break;
			for (i = 1; i < SS_NMECHS; i++)
				if (strlen(ss_mechs[i].name) == wl &&
				    strncasecmp(w, ss_mechs[i].name, wl) == 0)
					mask |= ss_mechs[i].bit;
			if (found || b.len > SS_MECH_WORDS_MAX)
				continue;
			if (b.len > 0)
				buf_addc(&b, ' ');
			buf_add(&b, w, wl);
			if (b.len > SS_MECH_WORDS_MAX)
				buf_adds(&b, "...");
		}
		found = 1;
	}
	if (!found) {
		if (etpan_smtp_auth_flags(s->smtp) & MAILSMTP_AUTH_PLAIN)
			mask |= SS_MECH_PLAIN;
		if (etpan_smtp_auth_flags(s->smtp) & MAILSMTP_AUTH_LOGIN)
			mask |= SS_MECH_LOGIN;
		mask |= SS_MECH_UNKNOWN;
	}
	if (b.len > 0)
		*words = text_sanitize(b.s);
	buf_free(&b);
	return mask;
}

/*
 * The mechanism for auth = (opts) with what the server offers, or
 * SMTP_AUTH_AUTO and the reason in *why (caller frees) when there is none.
 * auto never sends a token: a password is not one.
 */
static enum smtp_auth
ss_auth_choose(struct ss *s, int offered, const char *words, char **why)
{
	enum smtp_auth	 want = s->o->auth;
	const char	*has, *host = s->o->host;
	int		 other;

	*why = NULL;
	has = words != NULL ? words : "no mechanism it names";
	if ((size_t)want >= SS_NMECHS)
		want = SMTP_AUTH_AUTO;
	if (want != SMTP_AUTH_AUTO) {
		/* A kept connection: a token is tried, the server decides. */
		if ((offered & ss_mechs[want].bit) ||
		    ((offered & SS_MECH_UNKNOWN) && (ss_mechs[want].bit &
		    SS_MECH_OAUTH)))
			return want;
		other = want == SMTP_AUTH_XOAUTH2 ? SMTP_AUTH_OAUTHBEARER :
		    SMTP_AUTH_XOAUTH2;
		if ((ss_mechs[want].bit & SS_MECH_OAUTH) &&
		    (offered & ss_mechs[other].bit))
			*why = xasprintf("%s does not offer AUTH %s (auth = %s) "
			    "but %s, which takes the same token: set auth = %s",
			    host, ss_mechs[want].name, ss_mechs[want].key,
			    ss_mechs[other].name, ss_mechs[other].key);
		else
			*why = xasprintf("%s does not offer AUTH %s (auth = %s); "
			    "it offers %s", host, ss_mechs[want].name,
			    ss_mechs[want].key, has);
		return SMTP_AUTH_AUTO;
	}
	if (offered & SS_MECH_PLAIN)
		return SMTP_AUTH_PLAIN;
	if (offered & SS_MECH_LOGIN)
		return SMTP_AUTH_LOGIN;
	if (offered & SS_MECH_OAUTH)
		*why = xasprintf("%s wants OAuth2 (it offers %s) and the config "
		    "says auth = auto, which sends a password, not a token: set "
		    "auth = %s with a passcmd that prints an access token",
		    host, has, offered & SS_MECH_XOAUTH2 ? "xoauth2" :
		    "oauthbearer");
	else
		*why = xasprintf("%s offers no AUTH mechanism tern supports (it "
		    "offers %s; tern has PLAIN, LOGIN, OAUTHBEARER, XOAUTH2)",
		    host, has);
	return SMTP_AUTH_AUTO;
}

/* The "status" of an OAuth2 error challenge (base64 JSON), or NULL. */
static char *
ss_auth_status(const char *challenge)
{
	char	*json, *p, *q, *st = NULL;
	size_t	 len;

	if (challenge == NULL || (json = ss_b64_decode(challenge, &len)) ==
	    NULL)
		return NULL;
	if ((p = strstr(json, "\"status\"")) != NULL) {
		p += 8;
		while (*p == ' ' || *p == ':')
			p++;
		if (*p == '"' && (q = strchr(++p, '"')) != NULL && q - p <= 64)
			st = text_sanitize_n(p, (size_t)(q - p));
	}
	free(json);
	return st;
}

/*
 * One OAuth2 exchange with the token: OAUTHBEARER (RFC 7628) or XOAUTH2
 * (as Google documents it), with the initial response on the AUTH line
 * unless that would pass 512 octets (RFC 4954 4).  A refused token gets a
 * 334 with a JSON error: the client ends the exchange (a single ^A for
 * OAUTHBEARER, an empty line for XOAUTH2) and the server says 535.
 * Returns a MAILSMTP_ code; *status gets the JSON's status (caller frees)
 * or NULL.  Every copy of the token made here is wiped.
 */
static int
ss_auth_oauth(struct ss *s, enum smtp_auth mech, const char *token,
    char **status)
{
	struct buf	 u = BUF_INIT;
	const char	*p, *name = ss_mechs[mech].name;
	char		*raw = NULL, *b64 = NULL, *cmd = NULL;
	size_t		 rawlen, b64len, cmdlen;
	int		 n, code, inl, res;

	*status = NULL;
	if (mech == SMTP_AUTH_OAUTHBEARER) {
		/* The GS2 authzid: ',' and '=' escaped (RFC 5801 4). */
		for (p = s->o->user; *p != '\0'; p++)
			if (*p == ',')
				buf_adds(&u, "=2C");
			else if (*p == '=')
				buf_adds(&u, "=3D");
			else
				buf_addc(&u, *p);
		n = snprintf(NULL, 0, "n,a=%s,\001host=%s\001port=%d\001"
		    "auth=Bearer %s\001\001", u.s != NULL ? u.s : "",
		    s->o->host, s->o->port, token);
	} else
		n = snprintf(NULL, 0, "user=%s\001auth=Bearer %s\001\001",
		    s->o->user, token);
	if (n < 0) {
		res = MAILSMTP_ERROR_MEMORY;
		goto out;
	}
	rawlen = (size_t)n;
	raw = xmalloc(rawlen + 1);
	if (mech == SMTP_AUTH_OAUTHBEARER)
		snprintf(raw, rawlen + 1, "n,a=%s,\001host=%s\001port=%d\001"
		    "auth=Bearer %s\001\001", u.s != NULL ? u.s : "",
		    s->o->host, s->o->port, token);
	else
		snprintf(raw, rawlen + 1, "user=%s\001auth=Bearer %s\001\001",
		    s->o->user, token);
	b64 = ss_b64_encode(raw, rawlen, &b64len);
	cmdlen = strlen("AUTH ") + strlen(name) + 1 + b64len + 2;
	cmd = xmalloc(cmdlen + 1);
	inl = cmdlen <= SS_AUTH_LINE_MAX;
	if (inl)
		snprintf(cmd, cmdlen + 1, "AUTH %s %s\r\n", name, b64);
	else
		snprintf(cmd, cmdlen + 1, "AUTH %s\r\n", name);
	if (etpan_smtp_send_private(s->smtp, cmd) == -1) {
		res = MAILSMTP_ERROR_STREAM;
		goto out;
	}
	code = etpan_smtp_read(s->smtp);
	if (!inl && code == 334) {
		/* The empty challenge: now the response on its own line. */
		snprintf(cmd, cmdlen + 1, "%s\r\n", b64);
		if (etpan_smtp_send_private(s->smtp, cmd) == -1) {
			res = MAILSMTP_ERROR_STREAM;
			goto out;
		}
		code = etpan_smtp_read(s->smtp);
	}
	if (code == 334) {
		/* RFC 7628 3.2.3: the error; end the exchange to get it. */
		*status = ss_auth_status(etpan_smtp_text(s->smtp));
		snprintf(cmd, cmdlen + 1, "%s\r\n",
		    mech == SMTP_AUTH_OAUTHBEARER ? "AQ==" : "");
		if (etpan_smtp_send_private(s->smtp, cmd) == -1) {
			res = MAILSMTP_ERROR_STREAM;
			goto out;
		}
		code = etpan_smtp_read(s->smtp);
		if (code == 235)	/* success after an error: no */
			code = 535;
	}
	switch (code) {
	case 235:
		res = MAILSMTP_NO_ERROR;
		break;
	case 0:
		res = MAILSMTP_ERROR_STREAM;
		break;
	case 504:
		res = MAILSMTP_ERROR_AUTH_NOT_SUPPORTED;
		break;
	case 535:
		res = MAILSMTP_ERROR_AUTH_AUTHENTICATION_FAILED;
		break;
	default:
		res = MAILSMTP_ERROR_UNEXPECTED_CODE;
		break;
	}

out:
	buf_free(&u);
	if (raw != NULL)
		secret_wipe(raw, rawlen);
	if (b64 != NULL)
		secret_wipe(b64, b64len);
	if (cmd != NULL)
		secret_wipe(cmd, cmdlen);
	free(raw);
	free(b64);
	free(cmd);
	return res;
}

/* SMTP AUTH, only where policy allows it (over TLS, unless allowed). */
void
ss_auth(struct ss *s)
{
	struct policy_conn	 c;
	struct err		*e = NULL;
	enum smtp_auth		 mech;
	char			*pass, *rep, *words, *why, *status = NULL;
	const char		*name;
	int			 r, oauth, offered;

	ss_conn_facts(s, &c);
	if (!policy_auth_allowed(&c, s->o->allow_plain_auth)) {
		ss_all(s, 0, OUTCOME_HELD, REASON_AUTH_NEEDS_TLS, 0, NULL,
		    "%s; tern does not send %s without TLS (set "
		    "auth_plaintext = yes to allow it)", s->plain_reason !=
		    NULL ? s->plain_reason : "no TLS", s->o->auth ==
		    SMTP_AUTH_OAUTHBEARER || s->o->auth == SMTP_AUTH_XOAUTH2 ?
		    "an access token" : "a password");
		ss_move(s, SS_QUIT);
		return;
	}
	if (!(s->caps.ext & SS_EXT_AUTH)) {
		ss_all(s, 0, OUTCOME_DEFERRED, REASON_AUTH_UNSUPPORTED, 0, NULL,
		    "%s offers no AUTH (its EHLO reply has no AUTH line), and "
		    "the config logs in as %s", s->o->host, s->o->user);
		ss_move(s, SS_QUIT);
		return;
	}
	offered = ss_auth_offered(s, &words);
	mech = ss_auth_choose(s, offered, words, &why);
	free(words);
	if (why != NULL) {
		ss_all(s, 0, OUTCOME_DEFERRED, REASON_AUTH_UNSUPPORTED, 0, NULL,
		    "%s", why);
		free(why);
		ss_move(s, SS_QUIT);
		return;
	}
	name = ss_mechs[mech].name;
	oauth = (ss_mechs[mech].bit & SS_MECH_OAUTH) != 0;
	if (s->o->password == NULL ||
	    (pass = s->o->password(s->o->user, s->o->password_ctx, &e)) ==
	    NULL) {
		ss_all(s, 0, OUTCOME_DEFERRED, REASON_AUTH_FAILED, 0, NULL,
		    "no %s: %s", oauth ? "access token" : "password",
		    e != NULL ? e->msg : "no passcmd set");
		err_free(e);
		ss_move(s, SS_QUIT);
		return;
	}
	if (s->o->verbose) {
		rep = xasprintf("AUTH %s as %s", name, s->o->user);
		ss_event(s, EVENT_INFO, NULL, 0, rep);
		free(rep);
	}
	etpan_smtp_clear_code(s->smtp);
	if (oauth)
		r = ss_auth_oauth(s, mech, pass, &status);
	else
		r = mailsmtp_auth_type(s->smtp, s->o->user, pass,
		    mech == SMTP_AUTH_PLAIN ? MAILSMTP_AUTH_PLAIN :
		    MAILSMTP_AUTH_LOGIN);
	secret_free(pass);
	if (r != MAILSMTP_NO_ERROR) {
		rep = ss_reply(s);
		if (rep == NULL && r != MAILSMTP_ERROR_STREAM)
			ss_all(s, 0, OUTCOME_DEFERRED, REASON_AUTH_FAILED, 0,
			    NULL, "authentication as %s with %s could not "
			    "start: %s", s->o->user, name, mailsmtp_strerror(r));
		else
			ss_all(s, 0, OUTCOME_DEFERRED, rep == NULL ?
			    REASON_CONNECTION : REASON_AUTH_FAILED,
			    etpan_smtp_code(s->smtp), rep, "authentication as %s "
			    "failed with %s at %s: %s%s%s%s; check %s",
			    s->o->user, name, s->o->host, rep != NULL ? rep :
			    "the connection closed", status != NULL ?
			    " (OAuth2 status \"" : "", status != NULL ? status :
			    "", status != NULL ? "\")" : "", oauth ?
			    "the token command (passcmd)" : "user and passcmd");
		ss_event(s, EVENT_AUTH, NULL, etpan_smtp_code(s->smtp),
		    etpan_smtp_text(s->smtp));
		free(rep);
		free(status);
		ss_move(s, r == MAILSMTP_ERROR_STREAM ? SS_DONE : SS_QUIT);
		return;
	}
	free(status);
	ss_event(s, EVENT_AUTH, NULL, etpan_smtp_code(s->smtp),
	    etpan_smtp_text(s->smtp));
	s->authed = 1;
	ss_move(s, SS_MAIL);
}


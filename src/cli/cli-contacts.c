/* The contacts from the command line: tern contacts ... */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "alias.h"
#include "buf.h"
#include "conf.h"
#include "err.h"
#include "policy.h"
#include "safefile.h"
#include "store.h"
#include "vcard.h"
#include "xmalloc.h"

#include "cli-priv.h"

static int	cli_contacts_row(const struct store_contact *, void *);
static int	cli_contacts_export_row(const struct store_contact *, void *);
static int	cli_contacts_import(struct cli *, const char *,
		    const struct vcard_contact *);
static int	cli_contacts_export_dir(const char *,
		    const struct vcard_contact *, size_t);

/* One contact of a listing. */
static int
cli_contacts_row(const struct store_contact *c, void *arg)
{
	struct cli	*cli = arg;
	struct buf	 b = BUF_INIT;
	enum policy_source src;
	enum policy	 eff;

	eff = conf_policy(cli->conf, c->address, c->policy, &src);
	if (cli->json) {
		buf_adds(&b, "{\"address\":");
		buf_add_json(&b, c->address);
		buf_adds(&b, ",\"name\":");
		buf_add_json(&b, c->name);
		buf_adds(&b, ",\"tls\":");
		buf_add_json(&b, c->policy == POLICY_UNSET ? NULL :
		    policy_name(c->policy));
		buf_adds(&b, ",\"policy\":");
		buf_add_json(&b, policy_name(eff));
		buf_adds(&b, ",\"policy_source\":");
		buf_add_json(&b, policy_source_name(src));
		buf_adds(&b, ",\"notes\":");
		buf_add_json(&b, c->notes);
		buf_adds(&b, ",\"alias\":");
		buf_add_json(&b, c->alias);
		buf_adds(&b, ",\"groups\":[");
		if (c->groups != NULL) {
			const char	*g, *nl;
			char		*one;

			for (g = c->groups; *g != '\0'; g = nl + 1) {
				if ((nl = strchr(g, '\n')) == NULL)
					nl = g + strlen(g);
				one = xstrndup(g, (size_t)(nl - g));
				if (g != c->groups)
					buf_addc(&b, ',');
				buf_add_json(&b, one);
				free(one);
				if (*nl == '\0')
					break;
			}
		}
		buf_adds(&b, "]}");
		printf("%s\n", b.s);
		buf_free(&b);
		return 0;
	}
	printf("%-32s %-7s %-8s %s\n", c->address, policy_name(eff),
	    c->policy == POLICY_UNSET ? policy_source_name(src) : "contact",
	    c->name != NULL ? c->name : "");
	return 0;
}

struct cli_contacts_export {
	struct vcard_contact	*v;
	size_t			 n;
};

/* Collect a contact for export. */
static int
cli_contacts_export_row(const struct store_contact *c, void *arg)
{
	struct cli_contacts_export *ex = arg;
	struct vcard_contact	*v;

	ex->v = xreallocarray(ex->v, ex->n + 1, sizeof *ex->v);
	v = &ex->v[ex->n++];
	memset(v, 0, sizeof *v);
	v->address = xstrdup(c->address);
	v->name = xstrdup(c->name);
	v->policy = c->policy;
	v->notes = xstrdup(c->notes);
	v->alias = xstrdup(c->alias);
	if (c->groups != NULL) {
		char	*all, *g, *nl;

		all = xstrdup(c->groups);
		for (g = all; g != NULL; g = nl) {
			if ((nl = strchr(g, '\n')) != NULL)
				*nl++ = '\0';
			if (*g == '\0')
				continue;
			v->groups = xreallocarray(v->groups, v->ngroups + 1,
			    sizeof *v->groups);
			v->groups[v->ngroups++] = xstrdup(g);
		}
		free(all);
	}
	return 0;
}

/*
 * Import one contact.  A policy is never lowered: the file's policy is
 * taken only when it is at least as strict as the contact's effective one
 * now, and what is kept is said on stderr.  The alias and groups are
 * added.  CLI_OK or the failure's code (said).
 */
static int
cli_contacts_import(struct cli *cli, const char *file,
    const struct vcard_contact *v)
{
	struct store_contact	 c, old;
	struct err		*e = NULL;
	enum policy_source	 src;
	enum policy		 eff;
	size_t			 i;
	int			 found;

	memset(&c, 0, sizeof c);
	if ((found = store_contact_get(cli->store, v->address, &old, &e)) ==
	    -1)
		return cli_fail(e);
	c.address = v->address;
	c.name = v->name;
	c.notes = v->notes;
	c.alias = v->alias;
	c.policy = v->policy;
	if (found) {
		eff = conf_policy(cli->conf, old.address, old.policy, &src);
		if (v->policy == POLICY_UNSET)
			c.policy = old.policy;
		else if (v->policy < eff) {
			c.policy = old.policy;
			fprintf(stderr, "tern: %s: kept %s at %s%s (the file "
			    "says %s)\n", file, old.address, policy_name(eff),
			    src == POLICY_FROM_DOMAIN ? " from its domain" :
			    src == POLICY_FROM_DEFAULT ? " by default" : "",
			    policy_name(v->policy));
		}
		if (v->policy == POLICY_UNSET && old.policy != POLICY_UNSET)
			fprintf(stderr, "tern: %s: kept %s at %s (the file "
			    "sets no TLS policy)\n", file, old.address,
			    policy_name(old.policy));
	}
	store_contact_clear(&old);
	if (store_contact_put(cli->store, &c, &e) == -1)
		return cli_fail(e);
	for (i = 0; i < v->ngroups; i++)
		if (store_contact_group_add(cli->store, v->groups[i],
		    v->address, &e) == -1)
			return cli_fail(e);
	return CLI_OK;
}

/* Write one card per contact into dir as UID.vcf (a vdir, as khard reads). */
static int
cli_contacts_export_dir(const char *dir, const struct vcard_contact *v,
    size_t n)
{
	struct err	*e = NULL;
	char		*uid, *path, *card;
	size_t		 i, len;
	ssize_t		 w;
	int		 fd, rv = CLI_OK;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		err_set(&e, ERR_INPUT, 0, "%s: cannot create: %s", dir,
		    strerror(errno));
		return cli_fail(e);
	}
	for (i = 0; i < n && rv == CLI_OK; i++) {
		uid = vcard_uid(v[i].address);
		path = xasprintf("%s/%s.vcf", dir, uid);
		card = vcard_write(&v[i], 1);
		len = strlen(card);
		if ((fd = safefile_open(path, O_WRONLY | O_CREAT | O_TRUNC,
		    0600, "the contact card", &e)) == -1)
			rv = cli_fail(e);
		else {
			w = write(fd, card, len);
			if (close(fd) == -1 && w == (ssize_t)len)
				w = -1;
			if (w != (ssize_t)len) {
				err_set(&e, ERR_INPUT, 0, "%s: cannot write: "
				    "%s", path, w == -1 ? strerror(errno) :
				    "short write");
				rv = cli_fail(e);
			}
		}
		free(card);
		free(path);
		free(uid);
	}
	return rv;
}

/* tern contacts ... */
int
cli_contacts_main(struct cli *cli, int argc, char **argv)
{
	struct store_contact	 c;
	struct vcard_result	 res;
	struct err		*e = NULL;
	const char		*sub, *addr = NULL, *file = NULL;
	const char		*group = NULL, *dir = NULL;
	char			*text = NULL, *out;
	enum policy		 pol = POLICY_UNSET;
	size_t			 i, len = 0;
	int			 rv, a, have_tls = 0;
	FILE			*f;

	memset(&c, 0, sizeof c);
	c.policy = POLICY_UNSET;
	if (argc < 2) {
		return cli_usage("contacts");
	}
	sub = argv[1];
	for (a = 2; a < argc; a++) {
		if (strcmp(argv[a], "--json") == 0)
			cli->json = 1;
		else if (strcmp(argv[a], "--name") == 0 && a + 1 < argc)
			c.name = argv[++a];
		else if (strcmp(argv[a], "--notes") == 0 && a + 1 < argc)
			c.notes = argv[++a];
		else if (strcmp(argv[a], "--alias") == 0 && a + 1 < argc)
			c.alias = argv[++a];
		else if (strcmp(argv[a], "--group") == 0 && a + 1 < argc)
			group = argv[++a];
		else if (strcmp(argv[a], "--dir") == 0 && a + 1 < argc)
			dir = argv[++a];
		else if (strcmp(argv[a], "--tls") == 0 && a + 1 < argc) {
			a++;
			have_tls = 1;
			if (strcmp(argv[a], "default") == 0)
				pol = POLICY_UNSET;
			else if (policy_parse(argv[a], &pol) == -1) {
				fprintf(stderr, "tern: --tls %s: use may, "
				    "encrypt, verify or default\n", argv[a]);
				return CLI_USAGE;
			}
		} else if (argv[a][0] == '-' && argv[a][1] != '\0') {
			fprintf(stderr, "tern: contacts: unknown option %s\n",
			    argv[a]);
			return CLI_USAGE;
		} else if (addr == NULL)
			addr = argv[a];
		else {
			return cli_usage("contacts");
		}
	}
	/* The config is only needed to show effective policies. */
	if ((rv = cli_load_conf(cli)) != CLI_OK ||
	    (rv = cli_open_store(cli)) != CLI_OK)
		return rv;
	if (strcmp(sub, "list") == 0) {
		if (group != NULL) {
			if (store_contact_members(cli->store, group,
			    cli_contacts_row, cli, &e) == -1)
				return cli_fail(e);
			return CLI_OK;
		}
		if (store_contact_each(cli->store, addr, 0, 0, cli_contacts_row,
		    cli, &e) == -1)
			return cli_fail(e);
		return CLI_OK;
	}
	if (strcmp(sub, "add") == 0 || strcmp(sub, "set") == 0) {
		struct store_contact	old;
		int			found;

		if (addr == NULL || addr_check(addr, &e) == -1) {
			if (e != NULL)
				return cli_fail(e);
			return cli_usage("contacts");
		}
		if ((found = store_contact_get(cli->store, addr, &old, &e)) ==
		    -1)
			return cli_fail(e);
		c.address = (char *)addr;
		c.policy = have_tls ? pol : (found ? old.policy :
		    POLICY_UNSET);
		rv = store_contact_put(cli->store, &c, &e);
		store_contact_clear(&old);
		if (rv == -1)
			return cli_fail(e);
		return CLI_OK;
	}
	if (strcmp(sub, "remove") == 0) {
		if (addr == NULL) {
			return cli_usage("contacts");
		}
		if (store_contact_remove(cli->store, addr, &e) == -1)
			return cli_fail(e);
		return CLI_OK;
	}
	if (strcmp(sub, "import") == 0) {
		file = addr;
		if (file == NULL || (f = fopen(file, "r")) == NULL) {
			err_set(&e, ERR_INPUT, 0, "%s: cannot read: %s",
			    file != NULL ? file : "(no file)", file != NULL ?
			    strerror(errno) : "give a file");
			return cli_fail(e);
		}
		{
			struct buf	b = BUF_INIT;
			char		chunk[8192];
			size_t		r;

			while ((r = fread(chunk, 1, sizeof chunk, f)) > 0)
				buf_add(&b, chunk, r);
			fclose(f);
			buf_add(&b, "", 0);
			len = b.len;
			text = buf_steal(&b);
		}
		memset(&res, 0, sizeof res);
		if (strcasestr(text, "BEGIN:VCARD") != NULL)
			rv = vcard_parse(text, len, &res, &e);
		else
			rv = alias_parse(text, len, &res, &e);
		free(text);
		if (rv == -1)
			return cli_fail(e);
		for (i = 0; i < res.np; i++)
			fprintf(stderr, "tern: %s:%d: skipped: %s\n", file,
			    res.p[i].line, res.p[i].msg);
		rv = CLI_OK;
		for (i = 0; i < res.n && rv == CLI_OK; i++)
			rv = cli_contacts_import(cli, file, &res.v[i]);
		printf("imported %zu contact%s, skipped %zu line%s\n", res.n,
		    res.n == 1 ? "" : "s", res.np, res.np == 1 ? "" : "s");
		if (rv == CLI_OK && res.np > 0)
			rv = CLI_DATAERR;
		vcard_result_clear(&res);
		return rv;
	}
	if (strcmp(sub, "export") == 0) {
		struct cli_contacts_export ex = { NULL, 0 };

		if (store_contact_each(cli->store, NULL, 0, 0,
		    cli_contacts_export_row, &ex, &e) == -1)
			return cli_fail(e);
		if (dir != NULL) {
			rv = cli_contacts_export_dir(dir, ex.v, ex.n);
			for (i = 0; i < ex.n; i++)
				vcard_contact_clear(&ex.v[i]);
			free(ex.v);
			return rv;
		}
		out = vcard_write(ex.v, ex.n);
		for (i = 0; i < ex.n; i++)
			vcard_contact_clear(&ex.v[i]);
		free(ex.v);
		if (addr != NULL) {
			if ((f = fopen(addr, "w")) == NULL ||
			    fputs(out, f) == EOF || fclose(f) == EOF) {
				err_set(&e, ERR_INPUT, 0, "%s: cannot write: "
				    "%s", addr, strerror(errno));
				free(out);
				return cli_fail(e);
			}
		} else
			fputs(out, stdout);
		free(out);
		return CLI_OK;
	}
	fprintf(stderr, "tern: contacts: unknown command '%s'\n", sub);
	return cli_usage("contacts");
}

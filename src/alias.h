/*
 * alias: importing contacts from mutt alias files.  Parsing is
 * forgiving, as in vcard.h: a broken line is skipped and reported (with
 * its line number, in words) and the rest is imported.  The contacts are
 * those of vcard.h (struct vcard_result), so an alias file and a vCard
 * import the same way and export with vcard_write().
 */
#ifndef TERN_ALIAS_H
#define TERN_ALIAS_H

#include <stddef.h>

struct err;
struct vcard_result;

/*
 * Parse a mutt alias file (neomutt's manual, "alias", "group"):
 *   alias [-group NAME]... KEY [-group NAME]... ADDRESS[, ADDRESS]...
 *   group [-group NAME]... -addr ADDRESS...   (-rx is reported, skipped)
 *   ungroup [-group NAME]... * | -addr ADDRESS...
 *   unalias * | KEY...
 * An ADDRESS is "Name <addr>", "addr (Name)", "addr", or the KEY of
 * another alias of the file (expanded, loops reported).  '#' comments (a
 * comment after the addresses becomes the notes of the addresses written
 * on that line, as neomutt does), blank lines and continuation lines
 * ending in a backslash.  Each address is one contact (merged when it
 * appears twice).  An alias of one address gives that contact its alias
 * key (the first key wins; a second key is a group of one); an alias of
 * several addresses or of other aliases is a group named by its key with
 * all their addresses; every -group NAME is a group of them too.  Fills
 * *out (zeroed first; the caller frees it with vcard_result_clear, which
 * is also safe after a failure).  Returns 0, or -1 with *errp (ERR_INPUT)
 * when the input is not text (a NUL byte); out is then empty.
 */
int	 alias_parse(const char *, size_t, struct vcard_result *,
	    struct err **);

#endif

/* The duty log's integrity, apart from the store: the canonical form of an entry, its link
 * (plain SHA-256 for entries written before the key existed, HMAC-SHA256 after), the signed
 * checkpoints, the key files, the export (JSON lines, CSV) and the check of an export with
 * the public key only.
 *
 * Design (also in README.md, "The duty log"):
 *
 *   canonical(e)  {"id":N,"ts":MS,"kind":..,"actor":..,"alert":N|null,"text":..,"prev":LINK}
 *   link, scheme sha256       SHA-256(canonical(e))                     (before the upgrade)
 *   link, scheme hmac-sha256  HMAC-SHA256(K, prev_link || canonical(e)) (K: duty.key, 32 bytes)
 *
 * Someone who can write the database but has not K cannot make a keyed link: rewriting an
 * entry and recomputing the plain hashes (what was enough before) breaks at that entry.
 *
 * A checkpoint (every duty.checkpoint_every entries, at least hourly in the daemon, at every
 * handover and before every export) is signed with the Ed25519 key duty_sign.key:
 *
 *   keepwatch-duty-v1|SEQ|HEAD|TIME|FROM|DIGEST|LEGACY
 *
 * SEQ the last entry covered, HEAD its link, TIME the checkpoint's time (Unix ms), FROM the
 * previous checkpoint's SEQ, LEGACY the number of plain-hash entries at the start of the log
 * (those before the upgrade; the first checkpoint, written before the first keyed entry, is at
 * SEQ = LEGACY and so anchors them) and DIGEST the plain sequence digest of the entries in
 * (FROM, SEQ]:  d = 32 zero bytes; for each entry d = SHA-256(d || SHA-256(canonical(e))).
 * DIGEST needs no key, so an auditor holding duty_sign.pub checks an export: each checkpoint's
 * signature, that each entry names the link of the one before (prev), that the entries of each
 * checkpoint's range give its DIGEST and that its SEQ entry's link is HEAD. An entry changed in
 * a signed range changes DIGEST or HEAD; the keyed link itself is checked only with K. A
 * checkpoint is signed only over entries that verified with K first, so it never vouches for a
 * rewrite. Entries after the last checkpoint are chained but not signed: the export writes a
 * checkpoint first, so an export is covered whole.
 *
 * The head is published outside keepwatch (every shift handover carries "SEQ:HEX16"): a
 * rewrite, even by someone holding the keys, contradicts what the groups already received;
 * `duty verify --head SEQ:HEX` checks it. */
#ifndef DUTY_H
#define DUTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kw_buf.h"
#include "core/kw_err.h"

#define DUTY_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"
#define DUTY_SIG_HEX 128            /* an Ed25519 signature in hex */
#define DUTY_SHORT_HEAD 16          /* hex digits of the head published in handovers */

typedef enum { DUTY_SCHEME_SHA256 = 0, DUTY_SCHEME_HMAC = 1 } duty_scheme;
const char *duty_scheme_name(int scheme);   /* "sha256", "hmac-sha256" */
int duty_scheme_parse(const char *s);       /* -1 if unknown */

typedef struct duty_entry {
    int64_t id, ts_ms, alert_id;   /* alert_id 0: none */
    const char *kind, *actor, *text, *prev_hash, *hash;
    int scheme;
} duty_entry;

typedef struct duty_checkpoint {
    int64_t seq, from, ts_ms, legacy;
    char head[65], digest[65];
    char sig[DUTY_SIG_HEX + 1];
    char reason[24];               /* count, hourly, handover, export, upgrade, start */
} duty_checkpoint;

/* The canonical form of e (its hash and scheme are not part of it), appended to out. */
void duty_canonical(const duty_entry *e, kw_buf *out);
/* e's plain link: SHA-256 of its canonical form, 64 hex digits. */
void duty_link_plain(const duty_entry *e, char out[65]);
/* e's keyed link: HMAC-SHA256(key, e->prev_hash || canonical). */
void duty_link_keyed(const duty_entry *e, const unsigned char key[32], char out[65]);
/* The sequence digest: d = SHA-256(d || SHA-256(canonical(e))). A zeroed d starts a range. */
void duty_digest_add(unsigned char d[32], const duty_entry *e);
void duty_hex(const unsigned char *p, size_t n, char *out); /* out holds 2n+1 */

/* The text a checkpoint's signature covers. */
void duty_checkpoint_message(const duty_checkpoint *c, kw_buf *out);

/* ---- the keys (duty_key.c) ---- */

typedef struct duty_keys duty_keys; /* the HMAC secret and the Ed25519 pair */

/* Loads the keys from their files; with create, makes the missing ones (O_CREAT|O_EXCL, the
 * secret files 0600, the public key 0644). KW_ERR_NOTFOUND when a file is missing and create
 * is false. On success *out is the caller's (duty_keys_free). */
kw_rc duty_keys_load(const char *key_path, const char *sign_path, const char *pub_path, bool create,
                     duty_keys **out, char *err, size_t errn);
void duty_keys_free(duty_keys *k);
const unsigned char *duty_keys_hmac(const duty_keys *k);
/* Signs the checkpoint (fills c->sig). */
kw_rc duty_keys_sign(const duty_keys *k, duty_checkpoint *c);
/* Whether c's signature is good under the pair's public key. */
bool duty_keys_verify(const duty_keys *k, const duty_checkpoint *c);
/* The public key as PEM, appended to out. */
kw_rc duty_keys_pub_pem(const duty_keys *k, kw_buf *out);

/* A public key alone (an auditor's), from PEM text. NULL when it is not an Ed25519 key. The
 * caller frees with duty_pub_free. */
typedef struct duty_pub duty_pub;
duty_pub *duty_pub_from_pem(const char *pem, size_t len);
void duty_pub_free(duty_pub *p);
bool duty_pub_verify(const duty_pub *p, const duty_checkpoint *c);

/* ---- the export (duty_export.c) ---- */

/* One entry or checkpoint as a JSON line / a CSV row (with \r\n), appended to out. */
void duty_export_entry_json(const duty_entry *e, kw_buf *out);
void duty_export_checkpoint_json(const duty_checkpoint *c, kw_buf *out);
extern const char duty_csv_header[];
void duty_export_entry_csv(const duty_entry *e, kw_buf *out);
void duty_export_checkpoint_csv(const duty_checkpoint *c, kw_buf *out);
/* A CSV cell: quoted when it must be (RFC 4180), and a cell a spreadsheet would take for a
 * formula (starting with = + - @, tab or CR) prefixed with a single quote. */
void duty_csv_cell(kw_buf *b, const char *s);

/* What a check of an export found. */
typedef struct duty_export_result {
    int64_t entries, checkpoints;
    int64_t first_id, last_id;     /* the entries exported */
    int64_t signed_from, signed_to; /* the entries covered by good signatures (signed_from 0: none) */
    int64_t bad_id;                /* 0: intact */
    char why[256];
    bool head_found, head_ok;      /* for a published head asked about */
} duty_export_result;

#define DUTY_EXPORT_MAX_LINE (1 << 20)

/* Checks an export in JSON lines (data[len], from anywhere: hostile) with the public key only.
 * head_seq > 0 also checks that entry head_seq's link starts with head_hex. KW_OK: parsed (see
 * r->bad_id); KW_ERR_PARSE: not an export (r->why says where). Does no I/O. */
kw_rc duty_export_verify(const char *data, size_t len, const duty_pub *pub, int64_t head_seq, const char *head_hex,
                         duty_export_result *r);

/* "SEQ:HEX" (HEX 8 to 64 lower- or upper-case hex digits) into seq and hex (lowercased). */
bool duty_head_parse(const char *s, int64_t *seq, char hex[65]);

#endif

/* The box algebra of the ACL analysis (audit_acl_box.h): per-dimension set operations, boxes,
 * and regions of disjoint boxes with exact subtraction. No I/O. */
#include "audit/audit_acl_box.h"
#include "core/kw_mem.h"

#include <stdlib.h>
#include <string.h>

/* ---- one dimension ---- */

/* Appends [lo, hi] after every range of d (lo above them all), merging when adjacent. */
static void dim_push(acl_dim *d, acl_u128 lo, acl_u128 hi)
{
    if (d->n && d->v[d->n - 1].hi + 1 == lo) {
        d->v[d->n - 1].hi = hi;
        return;
    }
    kw_grow(&d->v, &d->cap, d->n + 1, sizeof *d->v);
    d->v[d->n++] = (acl_range){lo, hi};
}

bool acl_dim_has(const acl_dim *d, acl_u128 x)
{
    size_t lo = 0, hi = d->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->v[mid].hi < x)
            lo = mid + 1;
        else if (d->v[mid].lo > x)
            hi = mid;
        else
            return true;
    }
    return false;
}

bool acl_dim_overlaps(const acl_dim *a, const acl_dim *b)
{
    size_t i = 0, j = 0;
    while (i < a->n && j < b->n) {
        if (a->v[i].hi < b->v[j].lo)
            i++;
        else if (b->v[j].hi < a->v[i].lo)
            j++;
        else
            return true;
    }
    return false;
}

bool acl_dim_subset(const acl_dim *a, const acl_dim *b)
{
    size_t j = 0;
    for (size_t i = 0; i < a->n; i++) {
        while (j < b->n && b->v[j].hi < a->v[i].lo)
            j++;
        /* ranges are merged, so a range of a lies inside one range of b or it is not covered */
        if (j == b->n || b->v[j].lo > a->v[i].lo || b->v[j].hi < a->v[i].hi)
            return false;
    }
    return true;
}

void acl_dim_intersect(acl_dim *out, const acl_dim *a, const acl_dim *b)
{
    out->n = 0;
    size_t i = 0, j = 0;
    while (i < a->n && j < b->n) {
        acl_u128 lo = a->v[i].lo > b->v[j].lo ? a->v[i].lo : b->v[j].lo;
        acl_u128 hi = a->v[i].hi < b->v[j].hi ? a->v[i].hi : b->v[j].hi;
        if (lo <= hi)
            dim_push(out, lo, hi);
        if (a->v[i].hi < b->v[j].hi)
            i++;
        else
            j++;
    }
}

void acl_dim_subtract(acl_dim *out, const acl_dim *a, const acl_dim *b)
{
    out->n = 0;
    size_t j = 0;
    for (size_t i = 0; i < a->n; i++) {
        acl_u128 lo = a->v[i].lo, hi = a->v[i].hi;
        bool open = true; /* [lo, hi] still has something left */
        while (j < b->n && b->v[j].hi < lo)
            j++;
        for (size_t k = j; open && k < b->n && b->v[k].lo <= hi; k++) {
            if (b->v[k].lo > lo)
                dim_push(out, lo, b->v[k].lo - 1);
            if (b->v[k].hi >= hi)
                open = false;
            else
                lo = b->v[k].hi + 1;
        }
        if (open)
            dim_push(out, lo, hi);
    }
}

acl_u128 acl_dim_max(int i)
{
    switch (i) {
    case ACL_D_ZIN:
    case ACL_D_ZOUT:
        return ACL_ZONE_MAX;
    case ACL_D_PROTO:
        return ACL_PROTO_MAX;
    case ACL_D_SPORT:
    case ACL_D_DPORT:
        return ACL_PORT_MAX;
    default:
        return ACL_ADDR_MAX;
    }
}

/* ---- boxes ---- */

void acl_box_bound(acl_box *b)
{
    for (int i = 0; i < ACL_NDIM; i++) {
        b->lo[i] = b->d[i].n ? b->d[i].v[0].lo : 1;
        b->hi[i] = b->d[i].n ? b->d[i].v[b->d[i].n - 1].hi : 0;
    }
}

void acl_box_from_rule(acl_box *b, const acl_rule *r)
{
    const acl_dim *src[ACL_NDIM] = {&r->zin, &r->zout, &r->src, &r->dst, &r->proto, &r->sport, &r->dport};
    for (int i = 0; i < ACL_NDIM; i++)
        acl_dim_copy(&b->d[i], src[i]);
    acl_box_bound(b);
}

void acl_box_free(acl_box *b)
{
    for (int i = 0; i < ACL_NDIM; i++)
        acl_dim_free(&b->d[i]);
}

void acl_box_copy(acl_box *out, const acl_box *a)
{
    for (int i = 0; i < ACL_NDIM; i++)
        acl_dim_copy(&out->d[i], &a->d[i]);
    memcpy(out->lo, a->lo, sizeof out->lo);
    memcpy(out->hi, a->hi, sizeof out->hi);
}

bool acl_box_empty(const acl_box *b)
{
    for (int i = 0; i < ACL_NDIM; i++)
        if (!b->d[i].n)
            return true;
    return false;
}

bool acl_box_bb_meet(const acl_box *a, const acl_box *b)
{
    for (int i = 0; i < ACL_NDIM; i++)
        if (a->hi[i] < b->lo[i] || b->hi[i] < a->lo[i])
            return false;
    return true;
}

bool acl_box_overlaps(const acl_box *a, const acl_box *b)
{
    if (!acl_box_bb_meet(a, b))
        return false;
    for (int i = 0; i < ACL_NDIM; i++)
        if (!acl_dim_overlaps(&a->d[i], &b->d[i]))
            return false;
    return true;
}

bool acl_box_subset(const acl_box *a, const acl_box *b)
{
    for (int i = 0; i < ACL_NDIM; i++)
        if (!acl_dim_subset(&a->d[i], &b->d[i]))
            return false;
    return true;
}

bool acl_box_intersect(acl_box *out, const acl_box *a, const acl_box *b)
{
    for (int i = 0; i < ACL_NDIM; i++)
        acl_dim_intersect(&out->d[i], &a->d[i], &b->d[i]);
    acl_box_bound(out);
    return !acl_box_empty(out);
}

/* ---- regions ---- */

static void region_bound(acl_region *r)
{
    for (int i = 0; i < ACL_NDIM; i++) {
        r->bb.lo[i] = 1;
        r->bb.hi[i] = 0;
    }
    for (size_t k = 0; k < r->n; k++)
        for (int i = 0; i < ACL_NDIM; i++) {
            if (k == 0 || r->v[k].lo[i] < r->bb.lo[i])
                r->bb.lo[i] = r->v[k].lo[i];
            if (k == 0 || r->v[k].hi[i] > r->bb.hi[i])
                r->bb.hi[i] = r->v[k].hi[i];
        }
}

void acl_region_init(acl_region *r, const acl_box *b)
{
    acl_region_free(r);
    if (acl_box_empty(b)) {
        region_bound(r);
        return;
    }
    kw_grow(&r->v, &r->cap, 1, sizeof *r->v);
    memset(&r->v[0], 0, sizeof r->v[0]);
    acl_box_copy(&r->v[0], b);
    r->n = 1;
    region_bound(r);
}

void acl_region_free(acl_region *r)
{
    for (size_t k = 0; k < r->n; k++)
        acl_box_free(&r->v[k]);
    free(r->v);
    memset(r, 0, sizeof *r);
}

bool acl_region_overlaps(const acl_region *r, const acl_box *b)
{
    if (!r->n || !acl_box_bb_meet(&r->bb, b))
        return false;
    for (size_t k = 0; k < r->n; k++)
        if (acl_box_overlaps(&r->v[k], b))
            return true;
    return false;
}

/* A new zeroed box at the end of out. */
static acl_box *boxes_push(acl_region *out)
{
    kw_grow(&out->v, &out->cap, out->n + 1, sizeof *out->v);
    acl_box *x = &out->v[out->n++];
    memset(x, 0, sizeof *x);
    return x;
}

/* Appends a − b (a and b overlap) to out as at most seven disjoint boxes: piece d takes
 * a ∩ b on the dimensions before d, a − b on d, a after d. */
static void box_minus(acl_region *out, const acl_box *a, const acl_box *b)
{
    for (int d = 0; d < ACL_NDIM; d++) {
        acl_dim rest = {0};
        acl_dim_subtract(&rest, &a->d[d], &b->d[d]);
        if (!rest.n) {
            acl_dim_free(&rest);
            continue;
        }
        acl_box *x = boxes_push(out);
        for (int i = 0; i < ACL_NDIM; i++) {
            if (i < d)
                acl_dim_intersect(&x->d[i], &a->d[i], &b->d[i]);
            else if (i > d)
                acl_dim_copy(&x->d[i], &a->d[i]);
        }
        x->d[d] = rest;
        acl_box_bound(x);
    }
}

bool acl_region_subtract(acl_region *r, const acl_box *b, size_t max, bool *changed)
{
    *changed = false;
    if (!r->n || !acl_box_bb_meet(&r->bb, b))
        return true;
    /* the pieces of the boxes b cuts, apart, so that r is untouched when they do not fit */
    acl_region cut = {0};
    bool *hit = kw_calloc(r->n, sizeof *hit);
    size_t keep = 0;
    for (size_t k = 0; k < r->n && keep + cut.n <= max; k++) {
        hit[k] = acl_box_overlaps(&r->v[k], b);
        if (hit[k])
            box_minus(&cut, &r->v[k], b);
        else
            keep++;
    }
    bool fits = keep + cut.n <= max;
    if (!fits) {
        acl_region_free(&cut);
        free(hit);
        return false;
    }
    acl_region out = {0};
    kw_grow(&out.v, &out.cap, keep + cut.n ? keep + cut.n : 1, sizeof *out.v);
    for (size_t k = 0; k < r->n; k++) {
        if (hit[k]) {
            *changed = true;
            acl_box_free(&r->v[k]);
        } else {
            out.v[out.n++] = r->v[k]; /* moved */
        }
    }
    for (size_t k = 0; k < cut.n; k++)
        out.v[out.n++] = cut.v[k]; /* moved */
    free(cut.v);
    free(r->v);
    free(hit);
    *r = out;
    region_bound(r);
    return true;
}

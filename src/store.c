/* store.c — the RocksDB C API behind store.h: column families, bounded block
 * cache, bloom filters for the point lookups of dedup and entity loads. */
#include "store.h"

#include "util.h"

#include <rocksdb/c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const cf_names[RW_CF__COUNT] = {"default", "profile", "aggregates", "suppress",
                                                   "leads",   "meta",    "handling"};

struct rw_store {
    rocksdb_t *db;
    rocksdb_env_t *env; /* in-memory env for dir == NULL, else NULL */
    rocksdb_options_t *opts;
    rocksdb_block_based_table_options_t *table;
    rocksdb_cache_t *cache;
    rocksdb_filterpolicy_t *filter; /* owned by table options */
    rocksdb_column_family_handle_t *cf[RW_CF__COUNT];
    rocksdb_readoptions_t *ropts;
    rocksdb_writeoptions_t *wopts;
};

/* Operations go straight into RocksDB's own batch: nothing is copied twice. */
struct rw_batch {
    rw_store_t *store;
    rocksdb_writebatch_t *wb;
};

const char *rw_cf_name(rw_cf_t cf)
{
    return cf_names[cf];
}

static int store_open(rw_store_t **out, const char *dir, int read_only, char *err, size_t errlen)
{
    rw_store_t *s = rw_xcalloc(1, sizeof *s);
    s->opts = rocksdb_options_create();
    rocksdb_options_set_create_if_missing(s->opts, 1);
    rocksdb_options_set_create_missing_column_families(s->opts, 1);
    rocksdb_options_increase_parallelism(s->opts, 2);
    rocksdb_options_set_max_open_files(s->opts, 256);
    rocksdb_options_set_write_buffer_size(s->opts, 16 << 20);    /* per column family */
    rocksdb_options_set_db_write_buffer_size(s->opts, 64 << 20); /* all memtables together */
    /* most entity loads in a growing population miss: a memtable bloom answers them
     * without a skip-list search */
    rocksdb_options_set_memtable_prefix_bloom_size_ratio(s->opts, 0.05);
    rocksdb_options_set_memtable_whole_key_filtering(s->opts, 1);
    s->table = rocksdb_block_based_options_create();
    s->cache =
        rocksdb_cache_create_lru(64 << 20); /* bounded: memory stays flat with entity count */
    rocksdb_options_set_compression(s->opts, rocksdb_lz4_compression);
    rocksdb_block_based_options_set_block_cache(s->table, s->cache);
    s->filter = rocksdb_filterpolicy_create_bloom_full(10);
    rocksdb_block_based_options_set_filter_policy(s->table, s->filter);
    rocksdb_block_based_options_set_cache_index_and_filter_blocks(s->table, 1);
    rocksdb_options_set_block_based_table_factory(s->opts, s->table);
    if (!dir) { /* throwaway state for rule tests and sweeps: nothing touches the disk */
        s->env = rocksdb_create_mem_env();
        rocksdb_options_set_env(s->opts, s->env);
        dir = "/regwatch-mem";
    }

    const char *names[RW_CF__COUNT];
    const rocksdb_options_t *cf_opts[RW_CF__COUNT];
    for (int i = 0; i < RW_CF__COUNT; i++) {
        names[i] = cf_names[i];
        cf_opts[i] = s->opts;
    }
    char *e = NULL;
    if (read_only)
        s->db = rocksdb_open_for_read_only_column_families(s->opts, dir, RW_CF__COUNT, names,
                                                           cf_opts, s->cf, 0, &e);
    else
        s->db = rocksdb_open_column_families(s->opts, dir, RW_CF__COUNT, names, cf_opts, s->cf, &e);
    if (e) {
        /* another process (a running service) holds the store */
        if (strstr(e, "lock"))
            snprintf(err, errlen,
                     "状态库 %s 正被另一个进程（运行中的 regwatch run？）使用；请停止它，或通过 "
                     "HTTP API 操作",
                     dir);
        else
            snprintf(err, errlen, "无法打开状态库 %s: %s", dir, e);
        free(e);
        rocksdb_options_destroy(s->opts);
        rocksdb_block_based_options_destroy(s->table);
        rocksdb_cache_destroy(s->cache);
        if (s->env) rocksdb_env_destroy(s->env);
        free(s);
        return -1;
    }
    s->ropts = rocksdb_readoptions_create();
    s->wopts = rocksdb_writeoptions_create();
    *out = s;
    return 0;
}

int rw_store_open(rw_store_t **out, const char *dir, char *err, size_t errlen)
{
    return store_open(out, dir, 0, err, errlen);
}

int rw_store_open_ro(rw_store_t **out, const char *dir, char *err, size_t errlen)
{
    return store_open(out, dir, 1, err, errlen);
}

void rw_store_close(rw_store_t *s)
{
    if (!s) return;
    for (int i = 0; i < RW_CF__COUNT; i++)
        rocksdb_column_family_handle_destroy(s->cf[i]);
    rocksdb_close(s->db);
    rocksdb_readoptions_destroy(s->ropts);
    rocksdb_writeoptions_destroy(s->wopts);
    rocksdb_options_destroy(s->opts);
    rocksdb_block_based_options_destroy(s->table);
    rocksdb_cache_destroy(s->cache);
    if (s->env) rocksdb_env_destroy(s->env);
    free(s);
}

char *rw_store_get(rw_store_t *s, rw_cf_t cf, const char *key, size_t klen, size_t *vlen)
{
    char *e = NULL;
    size_t n = 0;
    char *v = rocksdb_get_cf(s->db, s->ropts, s->cf[cf], key, klen, &n, &e);
    if (e) {
        free(e);
        return NULL;
    }
    if (!v) return NULL;
    char *copy = rw_xmalloc(n + 1); /* NUL-terminated for JSON values */
    memcpy(copy, v, n);
    copy[n] = 0;
    rocksdb_free(v);
    if (vlen) *vlen = n;
    return copy;
}

json_t *rw_store_get_json(rw_store_t *s, rw_cf_t cf, const char *key, size_t klen)
{
    size_t n;
    char *v = rw_store_get(s, cf, key, klen, &n);
    if (!v) return NULL;
    json_t *j = json_loadb(v, n, 0, NULL);
    free(v);
    return j;
}

void rw_store_skip_wal(rw_store_t *s)
{
    rocksdb_writeoptions_disable_WAL(s->wopts, 1);
}

uint64_t rw_store_size(rw_store_t *s, rw_cf_t cf)
{
    char *v = rocksdb_property_value_cf(s->db, s->cf[cf], "rocksdb.total-sst-files-size");
    uint64_t sst = v ? strtoull(v, NULL, 10) : 0;
    free(v);
    v = rocksdb_property_value_cf(s->db, s->cf[cf], "rocksdb.cur-size-all-mem-tables");
    uint64_t mem = v ? strtoull(v, NULL, 10) : 0;
    free(v);
    return sst + mem;
}

rw_batch_t *rw_batch_new(rw_store_t *s)
{
    rw_batch_t *b = rw_xcalloc(1, sizeof *b);
    b->store = s;
    b->wb = rocksdb_writebatch_create();
    return b;
}

void rw_batch_free(rw_batch_t *b)
{
    if (!b) return;
    rocksdb_writebatch_destroy(b->wb);
    free(b);
}

void rw_batch_put(rw_batch_t *b, rw_cf_t cf, const char *key, size_t klen, const char *val,
                  size_t vlen)
{
    rocksdb_writebatch_put_cf(b->wb, b->store->cf[cf], key, klen, val, vlen);
}

void rw_batch_delete(rw_batch_t *b, rw_cf_t cf, const char *key, size_t klen)
{
    rocksdb_writebatch_delete_cf(b->wb, b->store->cf[cf], key, klen);
}

void rw_batch_put_json(rw_batch_t *b, rw_cf_t cf, const char *key, size_t klen, const json_t *j,
                       size_t flags)
{
    char *text = json_dumps(j, flags);
    rw_batch_put(b, cf, key, klen, text, strlen(text));
    free(text);
}

int rw_batch_count(const rw_batch_t *b)
{
    return rocksdb_writebatch_count(b->wb);
}

int rw_store_write(rw_store_t *s, rw_batch_t *b, char *err, size_t errlen)
{
    char *e = NULL;
    rocksdb_write(s->db, s->wopts, b->wb, &e);
    if (e) {
        snprintf(err, errlen, "写入状态库失败: %s", e);
        free(e);
        return -1;
    }
    rocksdb_writebatch_clear(b->wb);
    return 0;
}

void rw_store_scan(rw_store_t *s, rw_cf_t cf, const char *prefix, size_t plen, rw_store_visit_fn fn,
                   void *ud)
{
    rocksdb_iterator_t *it = rocksdb_create_iterator_cf(s->db, s->ropts, s->cf[cf]);
    for (rocksdb_iter_seek(it, prefix, plen); rocksdb_iter_valid(it); rocksdb_iter_next(it)) {
        size_t kl, vl;
        const char *k = rocksdb_iter_key(it, &kl);
        if (kl < plen || memcmp(k, prefix, plen) != 0) break;
        const char *v = rocksdb_iter_value(it, &vl);
        if (fn(ud, k, kl, v, vl)) break;
    }
    rocksdb_iter_destroy(it);
}

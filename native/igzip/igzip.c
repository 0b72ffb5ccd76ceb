// N-API binding for ISA-L's igzip (Debian libisal-dev): streaming gzip/raw-deflate inflate and gzip deflate,
// 3-5x faster than zlib on x86 (SIMD huffman + CRC). The JS side (src/codec/isal/) owns buffers and stream plumbing;
// this file only moves bytes between caller-provided buffers, so no memory is allocated per call.
#include <node_api.h>
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(call)                                                                   \
  do {                                                                                \
    if ((call) != napi_ok) {                                                          \
      napi_throw_error(env, "EIGZIP", "igzip: N-API call failed: " #call);            \
      return NULL;                                                                    \
    }                                                                                 \
  } while (0)

enum { MODE_RAW = 0, MODE_GZIP = 1 };

typedef struct {
  struct inflate_state st;
  int mode;
  int member_done; // gzip: the current member (trailer included) is complete
  int finished;    // raw: the deflate stream is complete
  uint32_t members;
} inflater_t;

typedef struct {
  struct isal_zstream st;
  uint8_t *level_buf;
  int ended;
} deflater_t;

static void inflater_free(napi_env env, void *data, void *hint) {
  (void)env; (void)hint;
  free(data);
}

static void deflater_free(napi_env env, void *data, void *hint) {
  (void)env; (void)hint;
  deflater_t *d = data;
  free(d->level_buf);
  free(d);
}

static void inflater_init(inflater_t *s, int mode) {
  s->mode = mode;
  isal_inflate_init(&s->st);
  s->st.crc_flag = mode == MODE_GZIP ? ISAL_GZIP : ISAL_DEFLATE;
}

// Another gzip member follows (concatenated .gz files are one valid stream, as gunzip reads them): a fresh state
// that goes on with the same input and output.
static void inflater_next_member(inflater_t *s) {
  uint8_t *next_in = s->st.next_in, *next_out = s->st.next_out;
  uint32_t avail_in = s->st.avail_in, avail_out = s->st.avail_out;
  isal_inflate_reset(&s->st);
  s->st.crc_flag = ISAL_GZIP;
  s->st.next_in = next_in;
  s->st.avail_in = avail_in;
  s->st.next_out = next_out;
  s->st.avail_out = avail_out;
  s->member_done = 0;
}

static int get_bytes(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  napi_typedarray_type type;
  void *ptr;
  size_t length;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &type, &length, &ptr, &ab, &off) != napi_ok || type != napi_uint8_array) return 0;
  *data = ptr;
  *len = length;
  return 1;
}

// The caller's Uint32Array(4) that receives [consumed, produced, flag, count].
static uint32_t *get_result(napi_env env, napi_value v) {
  napi_typedarray_type type;
  void *p;
  napi_value ab;
  size_t off, len;
  if (napi_get_typedarray_info(env, v, &type, &len, &p, &ab, &off) != napi_ok || type != napi_uint32_array || len < 4) return NULL;
  return p;
}

static int get_u32(napi_env env, napi_value v, uint32_t *out) {
  return napi_get_value_uint32(env, v, out) == napi_ok;
}

// newInflater(mode: 0 raw deflate | 1 gzip, members may follow each other)
static napi_value new_inflater(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], ext;
  uint32_t mode = 0;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || !get_u32(env, argv[0], &mode) || mode > 1) {
    napi_throw_type_error(env, "EIGZIP", "newInflater(mode: 0|1)");
    return NULL;
  }
  inflater_t *s = calloc(1, sizeof(inflater_t));
  if (!s) {
    napi_throw_error(env, "EIGZIP", "igzip: out of memory");
    return NULL;
  }
  inflater_init(s, (int)mode);
  CHECK(napi_create_external(env, s, inflater_free, NULL, &ext));
  return ext;
}

// inflate(handle, input, output, result: Uint32Array[4]) -> status (0 ok, < 0 ISA-L error code)
// result = [consumed, produced, atBoundary (gzip: between members / raw: stream finished), members completed]
// Stops when the output is full or the input is used up; a caller with output left and input used up needs more input.
static napi_value inflate_run(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], ret;
  inflater_t *s;
  uint8_t *in, *out;
  size_t in_len, out_len;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4 || napi_get_value_external(env, argv[0], (void **)&s) != napi_ok || !get_bytes(env, argv[1], &in, &in_len) ||
      !get_bytes(env, argv[2], &out, &out_len)) {
    napi_throw_type_error(env, "EIGZIP", "inflate(handle, input: Uint8Array, output: Uint8Array, result: Uint32Array)");
    return NULL;
  }
  uint32_t *res = get_result(env, argv[3]);
  if (!res) {
    napi_throw_type_error(env, "EIGZIP", "inflate: result must be a Uint32Array(4)");
    return NULL;
  }
  int status = 0;
  s->st.next_in = in;
  s->st.avail_in = (uint32_t)in_len;
  s->st.next_out = out;
  s->st.avail_out = (uint32_t)out_len;
  for (;;) {
    if (s->mode == MODE_RAW && s->finished) break; // bytes after the end of a raw stream are left unconsumed
    if (s->mode == MODE_GZIP && s->member_done) {
      if (s->st.avail_in == 0) break;
      inflater_next_member(s);
    }
    uint32_t before_out = s->st.avail_out;
    uint32_t before_in = s->st.avail_in;
    int r = isal_inflate(&s->st);
    if (r < 0) {
      status = r;
      break;
    }
    if (s->st.block_state == ISAL_BLOCK_FINISH) {
      s->members++;
      if (s->mode == MODE_GZIP) s->member_done = 1;
      else s->finished = 1;
      continue;
    }
    if (s->st.avail_out == 0 || s->st.avail_in == 0) break;
    if (s->st.avail_out == before_out && s->st.avail_in == before_in) break; // no progress: needs more input
  }
  res[0] = (uint32_t)in_len - s->st.avail_in;
  res[1] = (uint32_t)out_len - s->st.avail_out;
  res[2] = s->mode == MODE_GZIP ? (uint32_t)s->member_done : (uint32_t)s->finished;
  res[3] = s->members;
  CHECK(napi_create_int32(env, status, &ret));
  return ret;
}

// newDeflater(level: 0..3, format: 0 raw deflate | 1 gzip (header + trailer written by ISA-L))
static napi_value new_deflater(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], ext;
  uint32_t level = 1, format = 1;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || !get_u32(env, argv[0], &level) || level > 3 || !get_u32(env, argv[1], &format) || format > 1) {
    napi_throw_type_error(env, "EIGZIP", "newDeflater(level: 0..3, format: 0|1)");
    return NULL;
  }
  deflater_t *d = calloc(1, sizeof(deflater_t));
  if (!d) {
    napi_throw_error(env, "EIGZIP", "igzip: out of memory");
    return NULL;
  }
  isal_deflate_init(&d->st);
  d->st.level = level;
  d->st.gzip_flag = format == 1 ? IGZIP_GZIP : IGZIP_DEFLATE;
  if (level > 0) {
    uint32_t size = level == 1 ? ISAL_DEF_LVL1_DEFAULT : level == 2 ? ISAL_DEF_LVL2_DEFAULT : ISAL_DEF_LVL3_DEFAULT;
    d->level_buf = malloc(size);
    if (!d->level_buf) {
      free(d);
      napi_throw_error(env, "EIGZIP", "igzip: out of memory");
      return NULL;
    }
    d->st.level_buf = d->level_buf;
    d->st.level_buf_size = size;
  }
  CHECK(napi_create_external(env, d, deflater_free, NULL, &ext));
  return ext;
}

// deflate(handle, input, output, finish: 0|1, result: Uint32Array[4]) -> status (0 ok, < 0 ISA-L error)
// result = [consumed, produced, ended (gzip trailer written), 0]. Call again while output came back full.
static napi_value deflate_run(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], ret;
  deflater_t *d;
  uint8_t *in, *out;
  size_t in_len, out_len;
  uint32_t finish = 0;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 5 || napi_get_value_external(env, argv[0], (void **)&d) != napi_ok || !get_bytes(env, argv[1], &in, &in_len) ||
      !get_bytes(env, argv[2], &out, &out_len) || !get_u32(env, argv[3], &finish)) {
    napi_throw_type_error(env, "EIGZIP", "deflate(handle, input: Uint8Array, output: Uint8Array, finish: 0|1, result: Uint32Array)");
    return NULL;
  }
  uint32_t *res = get_result(env, argv[4]);
  if (!res) {
    napi_throw_type_error(env, "EIGZIP", "deflate: result must be a Uint32Array(4)");
    return NULL;
  }
  int status = 0;
  if (d->ended) {
    res[0] = 0;
    res[1] = 0;
    res[2] = 1;
    res[3] = 0;
    CHECK(napi_create_int32(env, in_len > 0 ? -9 : 0, &ret));
    return ret;
  }
  d->st.next_in = in;
  d->st.avail_in = (uint32_t)in_len;
  d->st.next_out = out;
  d->st.avail_out = (uint32_t)out_len;
  d->st.end_of_stream = finish ? 1 : 0;
  d->st.flush = NO_FLUSH;
  status = isal_deflate(&d->st);
  if (status == COMP_OK && finish && d->st.internal_state.state == ZSTATE_END) d->ended = 1;
  res[0] = (uint32_t)in_len - d->st.avail_in;
  res[1] = (uint32_t)out_len - d->st.avail_out;
  res[2] = (uint32_t)d->ended;
  res[3] = 0;
  CHECK(napi_create_int32(env, status, &ret));
  return ret;
}

// ---- One-shot gzip / gunzip into a caller's buffer ---------------------------------------------------------------
// For the collector's ack path (a ~1 MB body per request, hundreds per second): ISA-L's stateless calls. The state
// structs (~300 KB together) and the level buffers would be too big for the stack and too costly to allocate per
// call, so each N-API environment (the main thread and each worker thread) keeps one set, allocated on first use and
// freed with the environment. Calls on one environment never overlap (one JS thread).
// Both ISA-L coders store whole words and may scribble a few bytes past the end of their output (deflate up to ~11,
// inflate some more) anywhere inside avail_out. The contract promises nothing after the returned length is touched,
// so inflate stops its output at the trailer's ISIZE, and deflate writes into a scratch buffer (kept per
// environment, grown only when a larger input comes) and copies the member out: ~1-2% of the deflate's own cost.

// Negative results of gzipInto/gunzipInto besides ISA-L's own (-1..-6 from isal_inflate_stateless).
#define ONESHOT_LIMIT -100     // the output buffer is too small
#define ONESHOT_TRUNCATED -101 // the member ends early
#define ONESHOT_TRAILING -102  // bytes after the member
#define ONESHOT_FAILED -103    // any other ISA-L status (reported as is would be ambiguous)

// A gzipIntoAsync call (see below).
typedef struct job {
  struct isal_zstream z;
  uint8_t *level_buf[4];
  uint8_t *scratch;
  size_t scratch_len;
  uint32_t level;
  const uint8_t *in;
  size_t in_len;
  uint8_t *out;
  size_t out_len;
  int64_t result;
  napi_async_work work;
  napi_ref in_ref, out_ref, cb_ref;
  struct job *next; // in the free list
} job_t;

typedef struct {
  struct isal_zstream deflate;
  struct inflate_state inflate;
  uint8_t *level_buf[4]; // by level; [0] unused (level 0 needs none)
  uint8_t *scratch;      // deflate output, copied to the caller's buffer
  size_t scratch_len;
  struct job *free_jobs; // finished gzipIntoAsync jobs, for reuse
} oneshot_t;

static void job_free(job_t *j);

static const uint32_t level_buf_size[4] = {0, ISAL_DEF_LVL1_DEFAULT, ISAL_DEF_LVL2_DEFAULT, ISAL_DEF_LVL3_DEFAULT};

static void oneshot_free(napi_env env, void *data, void *hint) {
  (void)env; (void)hint;
  oneshot_t *o = data;
  for (int i = 0; i < 4; i++) free(o->level_buf[i]);
  free(o->scratch);
  while (o->free_jobs) {
    struct job *j = o->free_jobs;
    o->free_jobs = j->next;
    job_free(j);
  }
  free(o);
}

// This environment's state (created on first use); NULL after throwing.
static oneshot_t *oneshot_state(napi_env env) {
  void *data = NULL;
  if (napi_get_instance_data(env, &data) == napi_ok && data) return data;
  oneshot_t *o = calloc(1, sizeof(oneshot_t));
  if (!o) {
    napi_throw_error(env, "EIGZIP", "igzip: out of memory");
    return NULL;
  }
  if (napi_set_instance_data(env, o, oneshot_free, NULL) != napi_ok) {
    free(o);
    napi_throw_error(env, "EIGZIP", "igzip: N-API call failed: napi_set_instance_data");
    return NULL;
  }
  return o;
}

#define ONESHOT_NOMEM -104 // internal: scratch allocation failed

// One gzip member of in (in_len bytes) into out via *scratch (grown as needed): its length, or a negative result.
// Runs on any thread: it touches only its arguments.
static int64_t gzip_core(struct isal_zstream *z, uint8_t *level_buf, uint32_t level, uint8_t **scratch, size_t *scratch_len, const uint8_t *in,
                         size_t in_len, uint8_t *out, size_t out_len) {
  // ISA-L's largest output for in_len bytes: stored blocks (5 bytes per 64 KiB block) plus gzip header and trailer.
  // Whatever fits in out fits in this much of the scratch buffer, so a smaller one never changes the result.
  size_t bound = in_len + 5 * (in_len / 65535 + 2) + 1024;
  size_t need = out_len < bound ? out_len : bound;
  if (*scratch_len < need) {
    free(*scratch);
    *scratch_len = 0;
    *scratch = malloc(need);
    if (!*scratch) return ONESHOT_NOMEM;
    *scratch_len = need;
  }
  isal_deflate_stateless_init(z);
  z->level = level;
  z->level_buf = level_buf;
  z->level_buf_size = level_buf_size[level];
  z->gzip_flag = IGZIP_GZIP;
  z->end_of_stream = 1;
  z->flush = NO_FLUSH;
  z->next_in = (uint8_t *)in;
  z->avail_in = (uint32_t)in_len;
  z->next_out = *scratch;
  z->avail_out = (uint32_t)need;
  int r = isal_deflate_stateless(z);
  int64_t result = r == COMP_OK ? (int64_t)(need - z->avail_out) : r == STATELESS_OVERFLOW ? ONESHOT_LIMIT : (r < 0 ? r : ONESHOT_FAILED);
  if (result > 0) memcpy(out, *scratch, (size_t)result);
  return result;
}

// gzipInto(level: 0..3, input, output) -> length of the gzip member written at the start of output, or
// ONESHOT_LIMIT (output too small) / another negative ISA-L deflate status.
static napi_value gzip_into(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], ret;
  uint32_t level = 1;
  uint8_t *in, *out;
  size_t in_len, out_len;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3 || !get_u32(env, argv[0], &level) || level > 3 || !get_bytes(env, argv[1], &in, &in_len) || !get_bytes(env, argv[2], &out, &out_len)) {
    napi_throw_type_error(env, "EIGZIP", "gzipInto(level: 0..3, input: Uint8Array, output: Uint8Array)");
    return NULL;
  }
  if (in_len > UINT32_MAX || out_len > UINT32_MAX) {
    napi_throw_range_error(env, "EIGZIP", "gzipInto: buffers are limited to 4 GiB");
    return NULL;
  }
  oneshot_t *o = oneshot_state(env);
  if (!o) return NULL;
  if (level > 0 && !o->level_buf[level]) {
    o->level_buf[level] = malloc(level_buf_size[level]);
    if (!o->level_buf[level]) {
      napi_throw_error(env, "EIGZIP", "igzip: out of memory");
      return NULL;
    }
  }
  int64_t result = gzip_core(&o->deflate, o->level_buf[level], level, &o->scratch, &o->scratch_len, in, in_len, out, out_len);
  if (result == ONESHOT_NOMEM) {
    napi_throw_error(env, "EIGZIP", "igzip: out of memory");
    return NULL;
  }
  CHECK(napi_create_int64(env, result, &ret));
  return ret;
}

// gunzipInto(input, output) -> bytes inflated from the one gzip member that input holds, or a negative result:
// ISA-L's errors (-1..-6), ONESHOT_LIMIT, ONESHOT_TRUNCATED, ONESHOT_TRAILING.
static napi_value gunzip_into(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], ret;
  uint8_t *in, *out;
  size_t in_len, out_len;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || !get_bytes(env, argv[0], &in, &in_len) || !get_bytes(env, argv[1], &out, &out_len)) {
    napi_throw_type_error(env, "EIGZIP", "gunzipInto(input: Uint8Array, output: Uint8Array)");
    return NULL;
  }
  if (in_len > UINT32_MAX || out_len > UINT32_MAX) {
    napi_throw_range_error(env, "EIGZIP", "gunzipInto: buffers are limited to 4 GiB");
    return NULL;
  }
  // ISA-L wants the whole 10-byte header before it looks at it: input that is not gzip from its first bytes is damaged
  // data, not a truncated member.
  if ((in_len > 0 && in[0] != 0x1f) || (in_len > 1 && in[1] != 0x8b) || (in_len > 2 && in[2] != 8)) {
    CHECK(napi_create_int64(env, in_len > 2 && in[0] == 0x1f && in[1] == 0x8b ? ISAL_UNSUPPORTED_METHOD : ISAL_INVALID_WRAPPER, &ret));
    return ret;
  }
  oneshot_t *o = oneshot_state(env);
  if (!o) return NULL;
  struct inflate_state *s = &o->inflate;
  isal_inflate_init(s);
  s->crc_flag = ISAL_GZIP;
  s->next_in = in;
  s->avail_in = (uint32_t)in_len;
  // The member's length from its trailer (mod 2^32, as out is): the output stops there, so nothing past it is
  // written. A member longer than its ISIZE then overflows: that is a bad trailer, not a small buffer.
  uint32_t isize = in_len >= 4 ? (uint32_t)in[in_len - 4] | (uint32_t)in[in_len - 3] << 8 | (uint32_t)in[in_len - 2] << 16 | (uint32_t)in[in_len - 1] << 24 : 0;
  int capped = in_len >= 4 && isize < out_len;
  uint32_t avail = capped ? isize : (uint32_t)out_len;
  s->next_out = out;
  s->avail_out = avail;
  int r = isal_inflate_stateless(s);
  int64_t result;
  if (r == ISAL_DECOMP_OK) result = s->avail_in ? ONESHOT_TRAILING : (int64_t)(avail - s->avail_out);
  else if (r == ISAL_END_INPUT) result = ONESHOT_TRUNCATED;
  else if (r == ISAL_OUT_OVERFLOW) result = capped ? ISAL_INCORRECT_CHECKSUM : ONESHOT_LIMIT;
  else result = r < 0 ? r : ONESHOT_FAILED;
  CHECK(napi_create_int64(env, result, &ret));
  return ret;
}

// ---- Counting gunzip on the libuv thread pool -------------------------------------------------------------------
// For checks that only need to know a gzip stream is whole and how many lines it holds (extract's landing check):
// inflate into a private scratch buffer, count bytes and '\n', verify every member's trailer, and hand nothing back.
// The work runs off the JS thread, so several streams inflate in parallel without worker threads or output garbage.

#define SCRATCH (256 * 1024)

typedef struct {
  inflater_t inf;
  uint8_t scratch[SCRATCH];
  double bytes;    // inflated bytes so far
  double newlines; // '\n' bytes so far
  int last;        // last inflated byte, -1 before any
  double limit;    // stop once bytes exceed this (zip-bomb bound)
  int busy;
  // the work in flight
  napi_async_work work;
  napi_ref input_ref, callback_ref, self_ref;
  uint8_t *in;
  size_t in_len;
  int status; // 0 ok, < 0 ISA-L error, 1 limit exceeded
} counter_t;

static void counter_free(napi_env env, void *data, void *hint) {
  (void)env; (void)hint;
  free(data);
}

static napi_value new_counter(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], ext;
  double limit = 0;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_get_value_double(env, argv[0], &limit) != napi_ok || !(limit > 0)) {
    napi_throw_type_error(env, "EIGZIP", "newCounter(limitBytes > 0)");
    return NULL;
  }
  counter_t *c = calloc(1, sizeof(counter_t));
  if (!c) {
    napi_throw_error(env, "EIGZIP", "igzip: out of memory");
    return NULL;
  }
  inflater_init(&c->inf, MODE_GZIP);
  c->last = -1;
  c->limit = limit;
  CHECK(napi_create_external(env, c, counter_free, NULL, &ext));
  return ext;
}

static void count_execute(napi_env env, void *data) {
  (void)env;
  counter_t *c = data;
  inflater_t *s = &c->inf;
  s->st.next_in = c->in;
  s->st.avail_in = (uint32_t)c->in_len;
  c->status = 0;
  for (;;) {
    if (s->member_done) {
      if (s->st.avail_in == 0) break;
      inflater_next_member(s); // the output pointers are set just below
    }
    s->st.next_out = c->scratch;
    s->st.avail_out = SCRATCH;
    uint32_t before_in = s->st.avail_in;
    int r = isal_inflate(&s->st);
    uint32_t produced = SCRATCH - s->st.avail_out;
    if (produced) {
      // NDJSON lines are ~1-2 KB: memchr (SIMD in glibc) jumps from one '\n' to the next.
      size_t nl = 0;
      const uint8_t *p = c->scratch, *end = c->scratch + produced;
      while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        nl++;
        p++;
      }
      c->newlines += (double)nl;
      c->bytes += produced;
      c->last = c->scratch[produced - 1];
    }
    if (r < 0) {
      c->status = r;
      break;
    }
    if (c->bytes > c->limit) {
      c->status = 1;
      break;
    }
    if (s->st.block_state == ISAL_BLOCK_FINISH) {
      s->members++;
      s->member_done = 1;
      continue;
    }
    if (s->st.avail_out > 0 && (s->st.avail_in == 0 || s->st.avail_in == before_in)) break; // needs more input
  }
}

static void count_complete(napi_env env, napi_status st, void *data) {
  counter_t *c = data;
  napi_value cb, self, argv[5], global, ignored;
  c->busy = 0;
  if (napi_get_reference_value(env, c->callback_ref, &cb) == napi_ok && napi_get_global(env, &global) == napi_ok) {
    napi_create_int32(env, st == napi_ok ? c->status : -100, &argv[0]);
    napi_create_uint32(env, (uint32_t)c->inf.member_done, &argv[1]);
    napi_create_double(env, c->bytes, &argv[2]);
    napi_create_double(env, c->newlines, &argv[3]);
    napi_create_int32(env, c->last, &argv[4]);
    napi_delete_reference(env, c->input_ref);
    napi_delete_reference(env, c->callback_ref);
    napi_delete_async_work(env, c->work);
    napi_get_reference_value(env, c->self_ref, &self);
    napi_delete_reference(env, c->self_ref);
    napi_call_function(env, global, cb, 5, argv, &ignored);
  }
}

// count(handle, input, callback(status, atBoundary, bytes, newlines, lastByte)): one call in flight per handle.
// An empty input just reports the totals (used at the end to read atBoundary).
static napi_value count_run(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], name;
  counter_t *c;
  napi_valuetype t;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3 || napi_get_value_external(env, argv[0], (void **)&c) != napi_ok || !get_bytes(env, argv[1], &c->in, &c->in_len) ||
      napi_typeof(env, argv[2], &t) != napi_ok || t != napi_function) {
    napi_throw_type_error(env, "EIGZIP", "count(handle, input: Uint8Array, callback)");
    return NULL;
  }
  if (c->busy) {
    napi_throw_error(env, "EIGZIP", "count: a call is already in flight on this counter");
    return NULL;
  }
  c->busy = 1;
  // The input, the callback and the handle stay alive until the work completes.
  CHECK(napi_create_reference(env, argv[1], 1, &c->input_ref));
  CHECK(napi_create_reference(env, argv[2], 1, &c->callback_ref));
  CHECK(napi_create_reference(env, argv[0], 1, &c->self_ref));
  CHECK(napi_create_string_utf8(env, "igzip.count", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_create_async_work(env, NULL, name, count_execute, count_complete, c, &c->work));
  CHECK(napi_queue_async_work(env, c->work));
  return NULL;
}

// ---- gzipInto on the libuv thread pool -----------------------------------------------------------------------------
// gzipIntoAsync(level, input, output, callback(result)): gzipInto's work off the JS thread (the collector's ack path
// compresses each request there). Each call gets a job with its own ISA-L state; finished jobs are kept per
// environment for reuse, so a busy server allocates nothing per call. input and output are referenced until done.


static void job_free(job_t *j) {
  for (int i = 0; i < 4; i++) free(j->level_buf[i]);
  free(j->scratch);
  free(j);
}

static void gzip_async_execute(napi_env env, void *data) {
  (void)env;
  job_t *j = data;
  if (j->level > 0 && !j->level_buf[j->level]) j->level_buf[j->level] = malloc(level_buf_size[j->level]);
  j->result = j->level > 0 && !j->level_buf[j->level] ? ONESHOT_NOMEM
                                                        : gzip_core(&j->z, j->level_buf[j->level], j->level, &j->scratch, &j->scratch_len, j->in, j->in_len, j->out, j->out_len);
}

static void gzip_async_complete(napi_env env, napi_status st, void *data) {
  job_t *j = data;
  napi_value cb, global, arg, ignored;
  int64_t result = st == napi_ok ? j->result : ONESHOT_FAILED;
  int have_cb = napi_get_reference_value(env, j->cb_ref, &cb) == napi_ok && napi_get_global(env, &global) == napi_ok;
  napi_delete_reference(env, j->in_ref);
  napi_delete_reference(env, j->out_ref);
  napi_delete_reference(env, j->cb_ref);
  napi_delete_async_work(env, j->work);
  oneshot_t *o = NULL;
  if (napi_get_instance_data(env, (void **)&o) == napi_ok && o) {
    j->next = o->free_jobs;
    o->free_jobs = j;
  } else job_free(j);
  if (have_cb && napi_create_int64(env, result, &arg) == napi_ok) napi_call_function(env, global, cb, 1, &arg, &ignored);
}

static napi_value gzip_into_async(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], name;
  uint32_t level = 1;
  uint8_t *in, *out;
  size_t in_len, out_len;
  napi_valuetype t;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4 || !get_u32(env, argv[0], &level) || level > 3 || !get_bytes(env, argv[1], &in, &in_len) || !get_bytes(env, argv[2], &out, &out_len) ||
      napi_typeof(env, argv[3], &t) != napi_ok || t != napi_function) {
    napi_throw_type_error(env, "EIGZIP", "gzipIntoAsync(level: 0..3, input: Uint8Array, output: Uint8Array, callback)");
    return NULL;
  }
  if (in_len > UINT32_MAX || out_len > UINT32_MAX) {
    napi_throw_range_error(env, "EIGZIP", "gzipIntoAsync: buffers are limited to 4 GiB");
    return NULL;
  }
  oneshot_t *o = oneshot_state(env);
  if (!o) return NULL;
  job_t *j = o->free_jobs;
  if (j) o->free_jobs = j->next;
  else if (!(j = calloc(1, sizeof(job_t)))) {
    napi_throw_error(env, "EIGZIP", "igzip: out of memory");
    return NULL;
  }
  j->level = level;
  j->in = in;
  j->in_len = in_len;
  j->out = out;
  j->out_len = out_len;
  CHECK(napi_create_reference(env, argv[1], 1, &j->in_ref));
  CHECK(napi_create_reference(env, argv[2], 1, &j->out_ref));
  CHECK(napi_create_reference(env, argv[3], 1, &j->cb_ref));
  CHECK(napi_create_string_utf8(env, "igzip.gzipIntoAsync", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_create_async_work(env, NULL, name, gzip_async_execute, gzip_async_complete, j, &j->work));
  CHECK(napi_queue_async_work(env, j->work));
  return NULL;
}

// crc32(data, previous = 0) -> the gzip/zip CRC-32, chainable like zlib's crc32(data, previous) (PCLMUL/AVX-512).
static napi_value crc32_run(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], ret;
  uint8_t *in;
  size_t in_len;
  uint32_t prev = 0;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || !get_bytes(env, argv[0], &in, &in_len) || (argc > 1 && !get_u32(env, argv[1], &prev))) {
    napi_throw_type_error(env, "EIGZIP", "crc32(data: Uint8Array, previous?: uint32)");
    return NULL;
  }
  CHECK(napi_create_uint32(env, crc32_gzip_refl(prev, in, in_len), &ret));
  return ret;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"newInflater", NULL, new_inflater, NULL, NULL, NULL, napi_default, NULL},
      {"inflate", NULL, inflate_run, NULL, NULL, NULL, napi_default, NULL},
      {"newDeflater", NULL, new_deflater, NULL, NULL, NULL, napi_default, NULL},
      {"deflate", NULL, deflate_run, NULL, NULL, NULL, napi_default, NULL},
      {"crc32", NULL, crc32_run, NULL, NULL, NULL, napi_default, NULL},
      {"newCounter", NULL, new_counter, NULL, NULL, NULL, napi_default, NULL},
      {"count", NULL, count_run, NULL, NULL, NULL, napi_default, NULL},
      {"gzipInto", NULL, gzip_into, NULL, NULL, NULL, napi_default, NULL},
      {"gzipIntoAsync", NULL, gzip_into_async, NULL, NULL, NULL, napi_default, NULL},
      {"gunzipInto", NULL, gunzip_into, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

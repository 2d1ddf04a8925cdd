/* stage_ingest.c - motion capture files -> poses.h5.
 *
 * Files (sorted by path, so every rank sees the same list) are dealt to ranks in
 * contiguous runs balanced by file size; each rank reads, maps and selects frames of
 * its own files, and writes its poses as one hyperslab at the offset given by the
 * ranks before it. The output is therefore the same bytes for any number of ranks. */
#include <ctype.h>
#include <glob.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "depthpose/h5io.h"
#include "depthpose/stage.h"
#include "frame_select.h"
#include "joint_map.h"

enum { FMT_BVH, FMT_ASF_AMC, FMT_H36M, FMT_CSV };
static const char *const FORMATS[] = {"bvh", "asf_amc", "h36m", "csv", NULL};
enum { BAD_ERROR, BAD_SKIP };
static const char *const ON_BAD[] = {"error", "skip", NULL};

typedef struct {
  int format;
  double unit_mm;
  long skip_frames;
  long subject;   /* -1: from the file name */
  char up_axis;   /* csv */
  const char *asf;/* asf_amc: skeleton file, NULL = <dir>/<subject>.asf */
  dp_joint_map map;
} source;

typedef struct {
  char *path;
  int src;
  int subject;
  long size;
} clip_file;

typedef struct {
  int n_joints;
  const char *joints[DP_MAX_JOINTS];
  int n_sources;
  source *sources;
  clip_file *files;
  size_t n_files;
  long every;
  double min_motion_mm;
  int on_bad;
  long *val, *test;
  size_t n_val, n_test;
} ingest_opts;

static void free_opts(void *p) {
  ingest_opts *o = p;
  if (!o) return;
  for (size_t i = 0; i < o->n_files; i++) free(o->files[i].path);
  free(o->files);
  free(o->sources);
  free(o->val);
  free(o->test);
  free(o);
}

/* ---- configuration -------------------------------------------------------- */

static int parse_joints(const dp_node *sec, ingest_opts *o) {
  const dp_node *n = dp_cfg_get(sec, "joints");
  const char *const *set;
  if (dp_joint_set_named(n ? dp_node_scalar(n) : "default15", &set, &o->n_joints) == 0) {
    for (int j = 0; j < o->n_joints; j++) o->joints[j] = set[j];
    return 0;
  }
  const char **v;
  size_t k;
  DP_TRY(dp_cfg_strings(n, &v, &k));
  if (k < 2 || k > DP_MAX_JOINTS) {
    free(v);
    return dp_node_fail(n, "expected default15, subset10 or a list of 2..%d joint names", DP_MAX_JOINTS);
  }
  o->n_joints = (int)k;
  for (size_t j = 0; j < k; j++) o->joints[j] = v[j];
  free(v);
  return 0;
}

static int subject_from_path(const char *path, int format) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", path);
  if (format == FMT_H36M) { /* .../S9/MyPoses/3D_positions/x.h5 */
    for (char *p = strtok(tmp, "/"); p; p = strtok(NULL, "/"))
      if (p[0] == 'S' && isdigit((unsigned char)p[1])) return atoi(p + 1);
    return -1;
  }
  const char *base = basename(tmp); /* CMU: 07_12.bvh -> 7 */
  return isdigit((unsigned char)base[0]) ? atoi(base) : -1;
}

static int cmp_files(const void *a, const void *b) {
  return strcmp(((const clip_file *)a)->path, ((const clip_file *)b)->path);
}

static int add_files(ingest_opts *o, const dp_node *src_node, int si) {
  const dp_node *files = dp_cfg_get(src_node, "files");
  if (!files) return dp_node_fail(src_node, "a source needs files: (a glob pattern or a list)");
  const char **pats;
  size_t np;
  DP_TRY(dp_cfg_strings(files, &pats, &np));
  for (size_t p = 0; p < np; p++) {
    glob_t g;
    int rc = glob(pats[p], 0, NULL, &g);
    if (rc != 0 || g.gl_pathc == 0) {
      if (rc == 0) globfree(&g);
      int r = dp_node_fail(files, "\"%s\" matches no files (paths are relative to the directory "
                           "depthpose runs in)", pats[p]);
      free(pats);
      return r;
    }
    clip_file *nf = realloc(o->files, (o->n_files + g.gl_pathc) * sizeof *nf);
    if (!nf) {
      globfree(&g);
      free(pats);
      return dp_fail("out of memory listing files");
    }
    o->files = nf;
    for (size_t i = 0; i < g.gl_pathc; i++) {
      clip_file *c = &o->files[o->n_files++];
      struct stat st;
      c->path = dp_strdup(g.gl_pathv[i]);
      c->src = si;
      c->size = stat(c->path, &st) == 0 ? (long)st.st_size : 1;
      c->subject = o->sources[si].subject >= 0 ? (int)o->sources[si].subject
                                                : subject_from_path(c->path, o->sources[si].format);
      if (c->subject < 0) {
        int r = dp_node_fail(src_node, "%s: cannot tell the subject from the file name; give "
                             "subject: N in this source", c->path);
        globfree(&g);
        free(pats);
        return r;
      }
    }
    globfree(&g);
  }
  free(pats);
  return 0;
}

static int parse_source(const dp_node *n, ingest_opts *o, int si) {
  source *s = &o->sources[si];
  if (dp_node_type(n) != DP_NODE_MAP) return dp_node_fail(n, "expected a source mapping (format:, files:, ...)");
  DP_TRY(dp_cfg_enum(n, "format", FORMATS, FMT_BVH, &s->format));
  static const double default_unit[] = {56.444, 0, 1, 1}; /* CMU BVH units; ASF: from file */
  DP_TRY(dp_cfg_double(n, "unit_mm", default_unit[s->format], 0, 1e6, &s->unit_mm));
  DP_TRY(dp_cfg_int(n, "skip_frames", s->format == FMT_BVH ? 1 : 0, 0, 1000000, &s->skip_frames));
  DP_TRY(dp_cfg_int(n, "subject", -1, -1, 1000000, &s->subject));
  const char *up;
  DP_TRY(dp_cfg_string(n, "up_axis", "y", &up));
  if (strcmp(up, "y") && strcmp(up, "z")) return dp_node_fail(dp_cfg_get(n, "up_axis"), "expected y or z");
  s->up_axis = up[0];
  DP_TRY(dp_cfg_string(n, "asf", NULL, &s->asf));
  static const char *const default_map[] = {"cmu_bvh", "cmu_asf", "h36m", "identity"};
  const dp_node *m = dp_cfg_get(n, "joint_map");
  if (m) {
    dp_node_mark_used(m);
    DP_TRY(dp_joint_map_from_config(m, o->joints, o->n_joints, &s->map));
  } else {
    dp_config *tmp;
    DP_TRY(dp_config_parse("(default joint map)", default_map[s->format],
                           strlen(default_map[s->format]), &tmp));
    int rc = dp_joint_map_from_config(dp_config_root(tmp), o->joints, o->n_joints, &s->map);
    dp_config_free(tmp);
    DP_TRY(rc);
  }
  return add_files(o, n, si);
}

static int parse_subjects(const dp_node *sec, const char *key, long **out, size_t *n) {
  const dp_node *node = dp_cfg_get(sec, key);
  *out = NULL;
  *n = 0;
  if (!node) return 0;
  if (dp_node_type(node) == DP_NODE_MAP) return dp_node_fail(node, "expected a list of subject numbers");
  size_t k = dp_node_type(node) == DP_NODE_SEQ ? dp_node_len(node) : 1;
  *out = dp_calloc(k, sizeof **out, "subject list");
  if (!*out) return -1;
  for (size_t i = 0; i < k; i++) {
    const dp_node *it = dp_node_type(node) == DP_NODE_SEQ ? dp_node_at(node, i) : node;
    dp_node_mark_used(it);
    DP_TRY(dp_cfg_scalar_int(it, 0, 1000000, &(*out)[i]));
  }
  *n = k;
  return 0;
}

static int configure(const dp_node *sec, void **out) {
  ingest_opts *o = dp_calloc(1, sizeof *o, "ingest options");
  if (!o) return -1;
  *out = o;
  DP_TRY(parse_joints(sec, o));
  DP_TRY(dp_cfg_int(sec, "every", 4, 1, 1000000, &o->every));
  DP_TRY(dp_cfg_double(sec, "min_motion_mm", 20, 0, 1e6, &o->min_motion_mm));
  DP_TRY(dp_cfg_enum(sec, "on_bad_clip", ON_BAD, BAD_ERROR, &o->on_bad));
  DP_TRY(parse_subjects(sec, "val_subjects", &o->val, &o->n_val));
  DP_TRY(parse_subjects(sec, "test_subjects", &o->test, &o->n_test));
  const dp_node *srcs = dp_cfg_get(sec, "sources");
  dp_config *def = NULL;
  if (!srcs) { /* the bundled CMU data */
    static const char DEFAULT[] = "- {format: bvh, files: data/cmu/*/*.bvh}";
    DP_TRY(dp_config_parse("(default ingest sources)", DEFAULT, strlen(DEFAULT), &def));
    srcs = dp_config_root(def);
  }
  int rc = 0;
  if (dp_node_type(srcs) != DP_NODE_SEQ || dp_node_len(srcs) == 0)
    rc = dp_node_fail(srcs, "expected a list of sources (- format: bvh ...)");
  o->n_sources = (int)dp_node_len(srcs);
  o->sources = rc ? NULL : dp_calloc((size_t)o->n_sources, sizeof *o->sources, "sources");
  for (int i = 0; rc == 0 && i < o->n_sources; i++) rc = parse_source(dp_node_at(srcs, (size_t)i), o, i);
  dp_config_free(def);
  DP_TRY(rc);
  qsort(o->files, o->n_files, sizeof *o->files, cmp_files);
  for (size_t i = 1; i < o->n_files; i++)
    if (!strcmp(o->files[i].path, o->files[i - 1].path))
      return dp_node_fail(srcs, "%s is matched by more than one pattern", o->files[i].path);
  return 0;
}

static int external_inputs(const void *p, const char ***paths, size_t *n) {
  const ingest_opts *o = p;
  *paths = dp_malloc(o->n_files * sizeof **paths, "input list");
  if (!*paths) return -1;
  for (size_t i = 0; i < o->n_files; i++) (*paths)[i] = o->files[i].path;
  *n = o->n_files;
  return 0;
}

/* ---- reading one clip ----------------------------------------------------- */

static int read_clip(const ingest_opts *o, const clip_file *cf, dp_clip *clip) {
  const source *s = &o->sources[cf->src];
  switch (s->format) {
    case FMT_BVH:
      return dp_bvh_read(cf->path, s->unit_mm, (int)s->skip_frames, clip);
    case FMT_ASF_AMC: {
      char asf[4096];
      if (s->asf) {
        snprintf(asf, sizeof asf, "%s", s->asf);
      } else {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s", cf->path);
        snprintf(asf, sizeof asf, "%s/%02d.asf", dirname(tmp), cf->subject);
      }
      return dp_asf_amc_read(asf, cf->path, s->unit_mm, (int)s->skip_frames, clip);
    }
    case FMT_H36M:
      return dp_h36m_read(cf->path, clip);
    default:
      return dp_csv_read(cf->path, s->unit_mm, s->up_axis, clip);
  }
}

typedef struct {
  int frames, kept, degenerate, skipped;
  char reason[256];
} clip_report;

/* Canonical poses of the kept frames of one clip, appended to *poses / *frame. */
static int ingest_clip(const ingest_opts *o, const clip_file *cf, float **poses, int **frame,
                       size_t *n, size_t *cap, clip_report *rep) {
  dp_clip clip = {0};
  int rc = read_clip(o, cf, &clip);
  dp_joint_lookup look;
  if (rc == 0) rc = dp_joint_map_resolve(&o->sources[cf->src].map, &clip, cf->path, &look);
  const int J = o->n_joints;
  float *canon = NULL;
  unsigned char *keep = NULL;
  if (rc == 0) {
    canon = dp_malloc((size_t)clip.n_frames * J * 3 * sizeof *canon, "canonical poses");
    keep = dp_malloc((size_t)clip.n_frames, "frame flags");
    rc = canon && keep ? 0 : -1;
  }
  if (rc == 0) {
    for (int f = 0; f < clip.n_frames; f++) dp_joint_map_apply(&look, &clip, f, canon + (size_t)f * J * 3);
    rep->frames = clip.n_frames;
    rep->kept = dp_select_frames(&clip, canon, J, (int)o->every, o->min_motion_mm, keep, &rep->degenerate);
    if (rep->kept == 0) rc = dp_fail("%s: no usable frame (%d frames, %d degenerate)", cf->path,
                                     clip.n_frames, rep->degenerate);
  }
  if (rc == 0 && *n + (size_t)rep->kept > *cap) {
    size_t nc = (*n + (size_t)rep->kept) * 2;
    float *np = realloc(*poses, nc * J * 3 * sizeof *np);
    if (np) *poses = np;
    int *nfr = realloc(*frame, nc * sizeof *nfr);
    if (nfr) *frame = nfr;
    if (!np || !nfr) rc = dp_fail("out of memory collecting poses");
    else *cap = nc;
  }
  if (rc == 0) {
    const int skip = (int)o->sources[cf->src].skip_frames;
    for (int f = 0; f < clip.n_frames; f++)
      if (keep[f]) {
        memcpy(*poses + *n * J * 3, canon + (size_t)f * J * 3, (size_t)J * 3 * sizeof(float));
        (*frame)[(*n)++] = f + skip; /* frame number in the source file */
      }
  }
  free(canon);
  free(keep);
  dp_clip_free(&clip);
  return rc;
}

/* ---- the stage ------------------------------------------------------------ */

/* Contiguous runs of files per rank, balanced by bytes (reading cost). */
static void assign_files(const ingest_opts *o, int size, int rank, size_t *first, size_t *count) {
  double total = 0, acc = 0;
  for (size_t i = 0; i < o->n_files; i++) total += (double)o->files[i].size;
  size_t lo = o->n_files, hi = o->n_files;
  for (size_t i = 0; i < o->n_files; i++) {
    int owner = (int)((acc + 0.5 * (double)o->files[i].size) / total * size);
    if (owner >= size) owner = size - 1;
    if (owner == rank && lo == o->n_files) lo = i;
    if (owner > rank && hi == o->n_files) hi = i;
    acc += (double)o->files[i].size;
  }
  if (lo == o->n_files) hi = lo;
  *first = lo;
  *count = hi - lo;
}

static int split_of(const ingest_opts *o, int subject) {
  for (size_t i = 0; i < o->n_test; i++)
    if (o->test[i] == subject) return 2;
  for (size_t i = 0; i < o->n_val; i++)
    if (o->val[i] == subject) return 1;
  return 0;
}

static int write_poses(dp_ctx *ctx, const ingest_opts *o, const float *poses, const int *frame,
                       const int *clip_of, size_t n_local, clip_report *all, size_t first) {
  const int J = o->n_joints;
  long long mine = (long long)n_local, offset = 0, total = 0;
  MPI_Exscan(&mine, &offset, 1, MPI_LONG_LONG, MPI_SUM, ctx->comm);
  if (ctx->rank == 0) offset = 0;
  MPI_Allreduce(&mine, &total, 1, MPI_LONG_LONG, MPI_SUM, ctx->comm);
  if (total == 0) return dp_fail("ingest: no poses left (every clip skipped or empty)");
  int *subject = dp_malloc((n_local + 1) * sizeof *subject, "subjects");
  int *clip = dp_malloc((n_local + 1) * sizeof *clip, "clips");
  unsigned char *split = dp_malloc(n_local + 1, "splits");
  int rc = subject && clip && split ? 0 : -1;
  for (size_t i = 0; rc == 0 && i < n_local; i++) {
    const clip_file *cf = &o->files[first + (size_t)clip_of[i]];
    subject[i] = cf->subject;
    clip[i] = (int)(first + (size_t)clip_of[i]);
    split[i] = (unsigned char)split_of(o, cf->subject);
  }
  rc = dp_ctx_sync(ctx, rc);
  hid_t f = rc == 0 ? dp_h5_create(dp_ctx_output(ctx, "poses.h5"), ctx->comm) : -1;
  rc = dp_ctx_sync(ctx, rc == 0 && f < 0 ? -1 : rc);
  if (rc == 0) {
    hsize_t dims[3] = {(hsize_t)total, (hsize_t)J, 3};
    hsize_t s0 = (hsize_t)offset, c0 = n_local;
    rc = dp_h5_write_rows(f, "poses", H5T_NATIVE_FLOAT, 3, dims, s0, c0, poses, "mm");
    if (rc == 0) rc = dp_h5_write_rows(f, "subject", H5T_NATIVE_INT, 1, dims, s0, c0, subject, NULL);
    if (rc == 0) rc = dp_h5_write_rows(f, "clip", H5T_NATIVE_INT, 1, dims, s0, c0, clip, NULL);
    if (rc == 0) rc = dp_h5_write_rows(f, "frame", H5T_NATIVE_INT, 1, dims, s0, c0, frame, NULL);
    if (rc == 0) rc = dp_h5_write_rows(f, "split", H5T_NATIVE_UCHAR, 1, dims, s0, c0, split, NULL);
    /* Per-clip table: every rank holds all of it after the gather; rank 0's rows. */
    int *frames = dp_malloc(o->n_files * 2 * sizeof(int) + 1, "clip table");
    if (rc == 0 && frames) {
      for (size_t i = 0; i < o->n_files; i++) {
        frames[i] = all[i].frames;
        frames[o->n_files + i] = all[i].skipped ? -1 : all[i].kept;
      }
      hsize_t cd[1] = {o->n_files};
      hsize_t cnt = ctx->rank == 0 ? o->n_files : 0;
      rc = dp_h5_write_rows(f, "clip_frames", H5T_NATIVE_INT, 1, cd, 0, cnt, frames, NULL);
      if (rc == 0) rc = dp_h5_write_rows(f, "clip_kept", H5T_NATIVE_INT, 1, cd, 0, cnt, frames + o->n_files, NULL);
    }
    free(frames);
    const char **names = dp_malloc(o->n_files * sizeof *names + 1, "clip names");
    for (size_t i = 0; names && i < o->n_files; i++) names[i] = o->files[i].path;
    if (rc == 0) rc = dp_h5_attr_strings(f, "joint_names", o->joints, (size_t)o->n_joints);
    if (rc == 0) rc = dp_h5_attr_strings(f, "clip_names", names, o->n_files);
    if (rc == 0) rc = dp_h5_attr_string(f, "units", "mm");
    if (rc == 0) rc = dp_h5_attr_string(f, "up_axis", "y");
    if (rc == 0) rc = dp_h5_attr_string(f, "split_codes", "0 train, 1 val, 2 test");
    if (rc == 0) rc = dp_h5_attr_string(f, "source", ctx->config_path);
    free(names);
  }
  if (f >= 0 && dp_h5_close(f) != 0) rc = -1;
  free(subject);
  free(clip);
  free(split);
  return dp_ctx_sync(ctx, rc);
}

static int run(dp_ctx *ctx) {
  const ingest_opts *o = ctx->opts;
  size_t first, count;
  assign_files(o, ctx->size, ctx->rank, &first, &count);
  float *poses = NULL;
  int *frame = NULL, *clip_of = NULL;
  size_t n = 0, cap = 0;
  clip_report *rep = dp_calloc(o->n_files, sizeof *rep, "clip reports");
  int rc = rep ? 0 : -1;
  dp_progress prog;
  dp_progress_begin(&prog, "ingest files (rank 0)", count);
  for (size_t i = 0; rc == 0 && i < count; i++) {
    size_t before = n;
    clip_report *r = &rep[first + i];
    if (ingest_clip(o, &o->files[first + i], &poses, &frame, &n, &cap, r) != 0) {
      if (o->on_bad == BAD_ERROR) {
        rc = -1;
        break;
      }
      r->skipped = 1;
      snprintf(r->reason, sizeof r->reason, "%s", dp_error_message());
      dp_error_clear();
      n = before;
    }
    int *nc = realloc(clip_of, (n + 1) * sizeof *nc);
    if (!nc) rc = dp_fail("out of memory");
    else clip_of = nc;
    for (size_t k = before; rc == 0 && k < n; k++) clip_of[k] = (int)i;
    dp_progress_update(&prog, i + 1);
  }
  dp_progress_end(&prog);
  rc = dp_ctx_sync(ctx, rc);
  if (rc == 0) { /* everyone learns every clip's report (for the table and the summary) */
    int *counts = dp_malloc(sizeof(int) * (size_t)ctx->size * 2, "counts");
    if (!counts) rc = -1;
    rc = dp_ctx_sync(ctx, rc);
    if (rc == 0) {
      int *displs = counts + ctx->size, mine = (int)(count * sizeof *rep);
      MPI_Allgather(&mine, 1, MPI_INT, counts, 1, MPI_INT, ctx->comm);
      int mydisp = (int)(first * sizeof *rep);
      MPI_Allgather(&mydisp, 1, MPI_INT, displs, 1, MPI_INT, ctx->comm);
      MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, rep, counts, displs, MPI_BYTE, ctx->comm);
    }
    free(counts);
  }
  if (rc == 0) rc = write_poses(ctx, o, poses, frame, clip_of, n, rep, first);
  if (rc == 0) {
    long frames = 0, kept = 0, degenerate = 0, skipped = 0, per_split[3] = {0};
    for (size_t i = 0; i < o->n_files; i++) {
      frames += rep[i].frames;
      degenerate += rep[i].degenerate;
      if (rep[i].skipped) {
        skipped++;
        dp_warn("skipped %s: %s", o->files[i].path, rep[i].reason);
        continue;
      }
      kept += rep[i].kept;
      per_split[split_of(o, o->files[i].subject)] += rep[i].kept;
      dp_verbose("%s: kept %d of %d frames (%d degenerate)", o->files[i].path, rep[i].kept,
                 rep[i].frames, rep[i].degenerate);
    }
    dp_ctx_summary(ctx, "%ld poses x %d joints from %zu clips (%ld frames read, %ld degenerate "
                   "dropped, %ld clips skipped); train %ld, val %ld, test %ld",
                   kept, o->n_joints, o->n_files - (size_t)skipped, frames, degenerate, skipped,
                   per_split[0], per_split[1], per_split[2]);
  }
  free(poses);
  free(frame);
  free(clip_of);
  free(rep);
  return rc;
}

const dp_stage dp_stage_ingest = {
    .name = "ingest",
    .what = "motion capture (BVH, ASF/AMC, Human3.6M, CSV) to joint positions in mm",
    .inputs = {NULL},
    .outputs = {"poses.h5"},
    .configure = configure,
    .external_inputs = external_inputs,
    .run = run,
    .free_opts = free_opts,
};

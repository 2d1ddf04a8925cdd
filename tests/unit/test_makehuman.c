/* test_makehuman.c - the MakeHuman body model's assets and shapes (makehuman.h):
 * what is loaded, the blending rule against the README's check values, the rest pose
 * against base.obj read independently here, outward winding and part labels through
 * the project's rasterizer, the shape table and sampled shapes, and bad input.
 * Posing is tested in test_makehuman_pose.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../stages/render/makehuman/mh_internal.h"
#include "depthpose/error.h"
#include "depthpose/makehuman.h"
#include "depthpose/pose.h"
#include "depthpose/render.h"
#include "dp_test.h"
#include "mh_fixture.h"

#define PI 3.14159265358979323846

static void test_assets_loaded(void) {
  dp_mh_model *m = dp_mh_fixture();
  /* README: 19,158 v; body = 13,378 quads on vertices 0..13379; 163 bones, 326 joints */
  CU_ASSERT_EQUAL(m->n_vert, 19158);
  CU_ASSERT_EQUAL(m->n_body_vert, 13380);
  CU_ASSERT_EQUAL(m->body_vert[0], 0);
  CU_ASSERT_EQUAL(m->body_vert[13379], 13379);
  CU_ASSERT_EQUAL(m->n_tri, 2 * 13378);
  CU_ASSERT_EQUAL(m->n_bone, 163);
  CU_ASSERT_EQUAL(m->n_joint, 326);
  CU_ASSERT_EQUAL(m->n_target, 60);
  CU_ASSERT_EQUAL(m->n_ground, 8);
  CU_ASSERT_STRING_EQUAL(m->bone_name[m->root_bone], "root");
  for (int b = 0; b < m->n_bone; b++) CU_ASSERT(m->bone_parent[b] < b); /* parents first */
  /* weights: normalised per vertex, every slot weight in (0, 1] */
  double worst = 0;
  for (int v = 0; v < m->n_body_vert; v++) {
    double s = 0;
    for (int k = m->w_start[v]; k < m->w_start[v + 1]; k++) {
      CU_ASSERT(m->w[k] > 0 && m->w[k] <= 1.0f);
      CU_ASSERT(m->w_slot[k] < DP_MH_SLOTS);
      s += m->w[k];
    }
    worst = fmax(worst, fabs(s - 1));
  }
  CU_ASSERT(worst < 1e-6);
  printf("\n  %d body vertices, %.2f weighted slots per vertex, weight sums within %.1e of 1",
         m->n_body_vert, (double)m->w_start[m->n_body_vert] / m->n_body_vert, worst);
  /* every body part labels some triangles */
  int seen[DP_PART_COUNT] = {0};
  for (int t = 0; t < m->n_tri; t++) {
    CU_ASSERT_FATAL(m->tri_part[t] >= 1 && m->tri_part[t] < DP_PART_COUNT);
    seen[m->tri_part[t]]++;
  }
  for (int p = 1; p < DP_PART_COUNT; p++) CU_ASSERT(seen[p] > 50);
}

/* ---- blending rule ------------------------------------------------------------ */

/* The labels of a 10-joint run are the posed joints of the same names. */
static void test_joint_subset(void) {
  for (int i = 0; i < 10; i++) CU_ASSERT(dp_joint_index(dp_joints15, 15, dp_joints10[i]) >= 0);
}

static void test_target_weight_rule(void) {
  const dp_mh_shape def = {0.5f, 0.5f, 0.5f, 0.5f, 1 / 3.0f, 1 / 3.0f, 1 / 3.0f};
  CU_ASSERT_DOUBLE_EQUAL(dp_mh_target_weight("macrodetails/african-female-young.target", &def), 1 / 6.0, 1e-7);
  CU_ASSERT_DOUBLE_EQUAL(dp_mh_target_weight("macrodetails/universal-male-young-averagemuscle-averageweight.target", &def), 0.5, 1e-7);
  CU_ASSERT_EQUAL(dp_mh_target_weight("macrodetails/universal-male-young-maxmuscle-averageweight.target", &def), 0);
  CU_ASSERT_EQUAL(dp_mh_target_weight("macrodetails/height/male-young-averagemuscle-averageweight-maxheight.target", &def), 0);
  /* g 0.3, m 0.75 (avg 0.5, max 0.5), w 0.2 (min 0.6, avg 0.4), h 0.9 (max 0.8) */
  const dp_mh_shape s = {0.3f, 0.75f, 0.2f, 0.9f, 0.2f, 0.3f, 0.5f};
  CU_ASSERT_DOUBLE_EQUAL(dp_mh_target_weight("macrodetails/universal-male-young-maxmuscle-minweight.target", &s), 0.3 * 0.5 * 0.6, 1e-6);
  CU_ASSERT_DOUBLE_EQUAL(dp_mh_target_weight("macrodetails/universal-female-young-averagemuscle-averageweight.target", &s), 0.7 * 0.5 * 0.4, 1e-6);
  CU_ASSERT_DOUBLE_EQUAL(dp_mh_target_weight("macrodetails/height/female-young-maxmuscle-minweight-maxheight.target", &s), 0.7 * 0.5 * 0.6 * 0.8, 1e-6);
  CU_ASSERT_EQUAL(dp_mh_target_weight("macrodetails/height/female-young-maxmuscle-minweight-minheight.target", &s), 0);
  CU_ASSERT_DOUBLE_EQUAL(dp_mh_target_weight("macrodetails/asian-male-young.target", &s), 0.3 * 0.3, 1e-6);
  /* the shipped groups are partitions of one: race-gender and universal sum to 1 */
  char paths[64][96];
  int n = mh_target_paths(paths, 64);
  CU_ASSERT_EQUAL_FATAL(n, 60);
  double race = 0, universal = 0;
  for (int i = 0; i < n; i++) {
    double w = dp_mh_target_weight(paths[i], &s);
    if (strstr(paths[i], "universal")) universal += w;
    else if (!strstr(paths[i], "height/")) race += w;
  }
  CU_ASSERT_DOUBLE_EQUAL(race, 1, 1e-6);
  CU_ASSERT_DOUBLE_EQUAL(universal, 1, 1e-6);
}

/* README "Check of the included set": body-group H x W x D in cm, races 1/3 each. */
static void test_readme_check_sizes(void) {
  dp_mh_model *m = dp_mh_fixture();
  const struct {
    float g, mu, w, h;
    double H, W, D; /* W, D < 0: only the height is listed */
  } CHECK[] = {
      {0.5f, 0.5f, 0.5f, 0.5f, 165.9, 105.2, 43.0}, {0, 0.5f, 0.5f, 0.5f, 159.0, 97.1, 38.3},
      {0, 0, 0, 0.5f, 159.3, 97.2, 35.2},           {0, 0, 1, 0.5f, 159.0, 97.1, 43.2},
      {0, 1, 1, 0.5f, 159.0, 97.1, 39.9},           {0, 0.5f, 0.5f, 0, 122.3, -1, -1},
      {0, 0.5f, 0.5f, 1, 231.2, -1, -1},            {1, 0.5f, 0.5f, 0.5f, 173.0, 113.3, 47.7},
      {1, 0, 0.5f, 0.5f, 173.0, 113.3, 50.9},       {1, 0, 1, 0.5f, 173.1, 113.3, 52.7},
      {1, 1, 1, 0.5f, 173.0, 113.3, 50.2},          {1, 0.5f, 0.5f, 0, 136.4, -1, -1},
      {1, 0.5f, 0.5f, 1, 245.3, -1, -1},
  };
  dp_mh_body b;
  CU_ASSERT_FATAL(dp_mh_body_build(m, NULL, &b) == 0);
  CU_ASSERT_DOUBLE_EQUAL((b.hi[1] - b.lo[1]) / 10, 166.6, 0.1);
  CU_ASSERT_DOUBLE_EQUAL((b.hi[0] - b.lo[0]) / 10, 99.3, 0.1);
  CU_ASSERT_DOUBLE_EQUAL((b.hi[2] - b.lo[2]) / 10, 42.3, 0.1);
  dp_mh_body_free(&b);
  for (size_t i = 0; i < sizeof CHECK / sizeof CHECK[0]; i++) {
    const dp_mh_shape s = {CHECK[i].g, CHECK[i].mu, CHECK[i].w, CHECK[i].h, 1 / 3.0f, 1 / 3.0f, 1 / 3.0f};
    CU_ASSERT_FATAL(dp_mh_body_build(m, &s, &b) == 0);
    double H = (b.hi[1] - b.lo[1]) / 10, W = (b.hi[0] - b.lo[0]) / 10, D = (b.hi[2] - b.lo[2]) / 10;
    printf("\n  g %.1f m %.1f w %.1f h %.1f: %.2f x %.2f x %.2f cm (README %.1f)", s.gender,
           s.muscle, s.weight, s.height, H, W, D, CHECK[i].H);
    CU_ASSERT_DOUBLE_EQUAL(H, CHECK[i].H, 0.1);
    if (CHECK[i].W > 0) {
      CU_ASSERT_DOUBLE_EQUAL(W, CHECK[i].W, 0.1);
      CU_ASSERT_DOUBLE_EQUAL(D, CHECK[i].D, 0.1);
    }
    /* the soles stay on the floor (the ground cube) for every shape */
    CU_ASSERT(b.lo[1] > -5 && b.lo[1] < 10);
    dp_mh_body_free(&b);
  }
}

/* ---- rest pose -------------------------------------------------------------------- */

/* base.obj's vertices read here, independently of the model's reader. */
static FILE *open_base_obj(void) {
  FILE *f = fopen(dp_source_path("data/makehuman/base.obj"), "r");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  return f;
}

static double *read_base_obj(int *n) {
  FILE *f = open_base_obj();
  double *v = malloc(sizeof(double) * 3 * 20000);
  char line[512];
  *n = 0;
  while (fgets(line, sizeof line, f))
    if (line[0] == 'v' && line[1] == ' ' && *n < 20000) {
      CU_ASSERT(sscanf(line + 2, "%lf %lf %lf", &v[3 * *n], &v[3 * *n + 1], &v[3 * *n + 2]) == 3);
      (*n)++;
    }
  fclose(f);
  return v;
}

/* The neutral body (no targets) posed with its own rest joints is base.obj in mm:
 * x 100, lifted by the joint-ground cube (the last 8 vertices, README), within float
 * rounding (1e-3 mm; coordinates are up to 850 mm, float spacing there 6e-5 mm). */
static void test_rest_pose_is_base_mesh(void) {
  dp_mh_model *m = dp_mh_fixture();
  dp_mh_body b;
  CU_ASSERT_FATAL(dp_mh_body_build(m, NULL, &b) == 0);
  dp_mesh mesh;
  dp_mesh_init(&mesh);
  dp_mh_posed posed;
  CU_ASSERT_FATAL(dp_mh_pose(m, &b, b.joints, &mesh, &posed) == 0);
  int n;
  double *v = read_base_obj(&n);
  CU_ASSERT_EQUAL_FATAL(n, 19158);
  double ground = 0;
  for (int i = n - 8; i < n; i++) ground += v[3 * i + 1] / 8;
  CU_ASSERT_DOUBLE_EQUAL(ground, -8.183, 0.0005);
  CU_ASSERT_EQUAL_FATAL(mesh.nv, 13380);
  CU_ASSERT_EQUAL(mesh.nt, 2 * 13378);
  double worst = 0, ymin = INFINITY;
  for (int i = 0; i < 13380; i++) {
    const double want[3] = {100 * v[3 * i], 100 * (v[3 * i + 1] - ground), 100 * v[3 * i + 2]};
    for (int c = 0; c < 3; c++) worst = fmax(worst, fabs(mesh.v[3 * i + c] - want[c]));
    ymin = fmin(ymin, want[1]);
  }
  printf("\n  rest pose vs base.obj x 100: worst %.2e mm; floor_y %.3f mm", worst, posed.floor_y);
  CU_ASSERT(worst < 1e-3);
  CU_ASSERT_DOUBLE_EQUAL(posed.floor_y, ymin, 1e-3);
  CU_ASSERT_DOUBLE_EQUAL(posed.floor_y, 1.5, 0.1); /* soles 1.5 mm above the ground cube */
  for (int k = 0; k < 45; k++) CU_ASSERT_DOUBLE_EQUAL(posed.joints[k], b.joints[k], 1e-3);
  /* the README's base-mesh joint positions (decimetres, 3 decimals) */
  const double README[15][3] = {
      {0, 7.690, 0.122},      {0, 5.890, 0.068},      {0, 2.797, 0.259},     {1.677, 5.246, 0.146},
      {-1.677, 5.246, 0.146}, {3.129, 3.493, 0.132},  {-3.129, 3.493, 0.132}, {4.312, 2.452, 1.757},
      {-4.312, 2.452, 1.757}, {1.104, 0.486, 0.123},  {-1.104, 0.486, 0.123}, {1.581, -3.695, 0.320},
      {-1.581, -3.695, 0.320}, {2.196, -7.448, -0.009}, {-2.196, -7.448, -0.009}};
  for (int j = 0; j < 15; j++) {
    const double want[3] = {100 * README[j][0], 100 * (README[j][1] - ground), 100 * README[j][2]};
    for (int c = 0; c < 3; c++) CU_ASSERT_DOUBLE_EQUAL(b.joints[3 * j + c], want[c], 0.1);
  }
  free(v);
  dp_mesh_free(&mesh);
  dp_mh_body_free(&b);
}

/* Render the rest body from the front and the back: culling back faces (clockwise on
 * screen for outward winding) must leave the image unchanged, and the parts under the
 * joints must be the joints' own (left parts on the body's left, +X). */
static void test_winding_and_parts(void) {
  dp_mh_model *m = dp_mh_fixture();
  dp_mh_body b;
  CU_ASSERT_FATAL(dp_mh_body_build(m, &dp_mh_default_shapes()[6].shape, &b) == 0);
  dp_mesh mesh;
  dp_mesh_init(&mesh);
  dp_mh_posed posed;
  CU_ASSERT_FATAL(dp_mh_pose(m, &b, b.joints, &mesh, &posed) == 0);
  dp_intrinsics K;
  dp_intrinsics_fov(&K, 320, 480, 30 * PI / 180, 45 * PI / 180);
  dp_zbuffer zb, zc;
  CU_ASSERT_FATAL(dp_zbuffer_init(&zb, K.width, K.height, 1) == 0);
  CU_ASSERT_FATAL(dp_zbuffer_init(&zc, K.width, K.height, 1) == 0);
  zc.cull_backfaces = 1;
  for (int side = 0; side < 2; side++) {
    dp_camera cam;
    CU_ASSERT_FATAL(dp_camera_orbit(&cam, posed.centre, side * PI, 0, 3000, 0) == 0);
    dp_zbuffer_clear(&zb);
    dp_zbuffer_clear(&zc);
    CU_ASSERT(dp_raster_mesh(&zb, &K, cam.m, &mesh) == 0);
    CU_ASSERT(dp_raster_mesh(&zc, &K, cam.m, &mesh) == 0);
    long body = 0, same = 0;
    for (int i = 0; i < K.width * K.height; i++) {
      if (!dp_id_is_body(zb.id[i])) continue;
      body++;
      same += zc.depth[i] == zb.depth[i];
    }
    printf("\n  %s: %ld body pixels, %.4f unchanged by culling", side ? "back" : "front", body,
           (double)same / body);
    CU_ASSERT(body > 15000);
    CU_ASSERT((double)same / body > 0.995);
    if (side) continue;
    /* allowed parts at each joint (dp_joints15 order) */
    const int OK[15][2] = {
        {DP_PART_HEAD, DP_PART_HEAD},          {DP_PART_NECK, DP_PART_TRUNK},
        {DP_PART_TRUNK, DP_PART_TRUNK},        {DP_PART_TRUNK, DP_PART_L_UPPER_ARM},
        {DP_PART_TRUNK, DP_PART_R_UPPER_ARM},  {DP_PART_L_UPPER_ARM, DP_PART_L_FOREARM},
        {DP_PART_R_UPPER_ARM, DP_PART_R_FOREARM}, {DP_PART_L_FOREARM, DP_PART_L_HAND},
        {DP_PART_R_FOREARM, DP_PART_R_HAND},   {DP_PART_TRUNK, DP_PART_L_THIGH},
        {DP_PART_TRUNK, DP_PART_R_THIGH},      {DP_PART_L_THIGH, DP_PART_L_SHIN},
        {DP_PART_R_THIGH, DP_PART_R_SHIN},     {DP_PART_L_SHIN, DP_PART_L_FOOT},
        {DP_PART_R_SHIN, DP_PART_R_FOOT}};
    float cj[45], uv[30];
    dp_project_points(&K, cam.m, posed.joints, 15, cj, uv);
    for (int j = 0; j < 15; j++) {
      int id = zb.id[(int)uv[2 * j + 1] * K.width + (int)uv[2 * j]];
      if (id != OK[j][0] && id != OK[j][1]) printf("\n  joint %s: part %d", dp_joints15[j], id);
      CU_ASSERT(id == OK[j][0] || id == OK[j][1]);
    }
    CU_ASSERT(uv[2 * 3] > uv[2 * 4]); /* the body's left appears on the image's right */
  }
  dp_zbuffer_free(&zb);
  dp_zbuffer_free(&zc);
  dp_mesh_free(&mesh);
  dp_mh_body_free(&b);
}

/* ---- shapes ------------------------------------------------------------------------- */

static void test_default_shapes(void) {
  dp_mh_model *m = dp_mh_fixture();
  const dp_mh_named_shape *t = dp_mh_default_shapes();
  int female = 0, male = 0;
  for (int i = 0; i < DP_MH_N_DEFAULT_SHAPES; i++) {
    CU_ASSERT(dp_mh_shape_check(&t[i].shape) == 0);
    CU_ASSERT(t[i].shape.height >= 0.35f && t[i].shape.height <= 0.65f);
    female += t[i].shape.gender < 0.5f;
    male += t[i].shape.gender > 0.5f;
    for (int j = 0; j < i; j++) CU_ASSERT(strcmp(t[i].name, t[j].name) != 0);
    dp_mh_shape s;
    CU_ASSERT(dp_mh_shape_lookup(t[i].name, &s) == 0 && !memcmp(&s, &t[i].shape, sizeof s));
    dp_mh_body b;
    CU_ASSERT_FATAL(dp_mh_body_build(m, &t[i].shape, &b) == 0);
    double H = (b.hi[1] - b.lo[1]) / 10;
    printf("\n  %-16s %.1f cm tall, %.1f cm deep", t[i].name, H, (b.hi[2] - b.lo[2]) / 10);
    CU_ASSERT(H > 145 && H < 197); /* realistic adults */
    dp_mh_body_free(&b);
  }
  CU_ASSERT(female >= 5 && male >= 5);
  dp_mh_shape s;
  CU_ASSERT(dp_mh_shape_lookup("giant", &s) == -1);
  CU_ASSERT(strstr(dp_error_message(), "male_average") != NULL);
  dp_error_clear();
}

static void test_sampled_shapes(void) {
  int female = 0;
  double sum_h = 0;
  for (uint64_t i = 0; i < 2000; i++) {
    dp_mh_shape a, b, c;
    dp_mh_shape_sample(42, i, &a);
    dp_mh_shape_sample(42, i, &b);
    dp_mh_shape_sample(43, i, &c);
    CU_ASSERT(memcmp(&a, &b, sizeof a) == 0); /* a pure function of (seed, index) */
    CU_ASSERT(memcmp(&a, &c, sizeof a) != 0);
    CU_ASSERT(dp_mh_shape_check(&a) == 0);
    CU_ASSERT(a.gender <= 0.1f || a.gender >= 0.9f);
    CU_ASSERT(a.muscle >= 0.1f && a.muscle <= 0.9f && a.weight >= 0.1f && a.weight <= 0.9f);
    CU_ASSERT(a.height >= 0.35f && a.height <= 0.65f);
    female += a.gender < 0.5f;
    sum_h += a.height;
  }
  CU_ASSERT(female > 900 && female < 1100);
  CU_ASSERT_DOUBLE_EQUAL(sum_h / 2000, 0.5, 0.01);
  dp_error_clear();
}

/* ---- bad input ------------------------------------------------------------------------ */

/* A copy of data/makehuman in a temporary folder, every file a symbolic link to the
 * real one except `name` (relative path), which holds `text` (NULL: left out). */
static char tmp_root[256];
static char tmp_files[80][512];
static int n_tmp;

static void tmp_add(const char *rel, const char *name, const char *text) {
  char path[512], src[4096];
  snprintf(path, sizeof path, "%s/%s", tmp_root, rel);
  snprintf(src, sizeof src, "%s/%s", dp_mh_dir(), rel);
  if (!strcmp(rel, name)) {
    if (!text) return;
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
  } else {
    CU_ASSERT_FATAL(symlink(src, path) == 0);
  }
  snprintf(tmp_files[n_tmp++], 512, "%s", path);
}

static void tmp_make(const char *name, const char *text) {
  snprintf(tmp_root, sizeof tmp_root, "/tmp/dp_mh_XXXXXX");
  CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmp_root));
  char d[512];
  snprintf(d, sizeof d, "%s/targets", tmp_root);
  mkdir(d, 0700);
  snprintf(d, sizeof d, "%s/targets/macrodetails", tmp_root);
  mkdir(d, 0700);
  snprintf(d, sizeof d, "%s/targets/macrodetails/height", tmp_root);
  mkdir(d, 0700);
  n_tmp = 0;
  tmp_add("base.obj", name, text);
  tmp_add("default.mhskel", name, text);
  tmp_add("default_weights.mhw", name, text);
  char paths[64][96];
  int n = mh_target_paths(paths, 64);
  for (int i = 0; i < n; i++) {
    char rel[128];
    snprintf(rel, sizeof rel, "targets/%s", paths[i]);
    tmp_add(rel, name, text);
  }
}

static void tmp_remove(void) {
  for (int i = 0; i < n_tmp; i++) unlink(tmp_files[i]);
  const char *dirs[4] = {"/targets/macrodetails/height", "/targets/macrodetails", "/targets", ""};
  for (int i = 0; i < 4; i++) {
    char d[512];
    snprintf(d, sizeof d, "%s%s", tmp_root, dirs[i]);
    rmdir(d);
  }
}

/* Loading the copy fails with a message containing every one of want[] (NULL-ended). */
static void expect_load_error(const char *name, const char *text, const char *const *want) {
  tmp_make(name, text);
  dp_mh_model m;
  dp_error_clear();
  CU_ASSERT(dp_mh_model_load(&m, tmp_root) == -1);
  for (int i = 0; want[i]; i++) {
    if (!strstr(dp_error_message(), want[i]))
      printf("\n  message \"%s\" lacks \"%s\"", dp_error_message(), want[i]);
    CU_ASSERT(strstr(dp_error_message(), want[i]) != NULL);
  }
  CU_ASSERT(m.n_vert == 0 && m.base == NULL); /* left empty */
  dp_error_clear();
  tmp_remove();
}

/* The first `lines` lines of base.obj, then `tail`. */
static char *obj_prefix(int lines, const char *tail) {
  FILE *f = open_base_obj();
  size_t cap = 4 << 20, n = 0;
  char *buf = malloc(cap), line[512];
  for (int i = 0; i < lines && fgets(line, sizeof line, f); i++) {
    size_t k = strlen(line);
    memcpy(buf + n, line, k);
    n += k;
  }
  fclose(f);
  snprintf(buf + n, cap - n, "%s", tail);
  return buf;
}

static void test_bad_input(void) {
  /* a missing file */
  const char *const missing[] = {"default.mhskel", "cannot open", NULL};
  expect_load_error("default.mhskel", NULL, missing);
  /* base.obj cut in the middle of a vertex line (line 30 is the 12th `v`) */
  char *cut = obj_prefix(29, "v 0.1 0.2");
  const char *const cut_v[] = {"base.obj:30:", "expected 'v x y z' with 3 numbers, got 2", NULL};
  expect_load_error("base.obj", cut, cut_v);
  free(cut);
  /* base.obj cut inside the body faces: no joint-ground group */
  cut = obj_prefix(45000, "");
  const char *const cut_f[] = {"base.obj", "no group 'joint-ground'", "cut short", NULL};
  expect_load_error("base.obj", cut, cut_f);
  free(cut);
  /* a face using a vertex that does not exist */
  cut = obj_prefix(19180, "g body\nf 1/1 2/2 3/3 99999/4\n");
  const char *const bad_f[] = {"base.obj:19182:", "vertex 99999", NULL};
  expect_load_error("base.obj", cut, bad_f);
  free(cut);
  /* a target moving a vertex beyond the mesh, and a damaged target line */
  const char *rel = "targets/macrodetails/height/male-young-minmuscle-maxweight-maxheight.target";
  const char *const range[] = {"male-young-minmuscle-maxweight-maxheight.target:3:",
                               "vertex index 19158 is out of range", NULL};
  expect_load_error(rel, "# a target\n0 .1 .2 .3\n19158 0 0 0\n", range);
  const char *const fields[] = {"maxheight.target:2:", "expected 'index dx dy dz' (4 fields), got 3", NULL};
  expect_load_error(rel, "# a target\n12 .1 .2\n", fields);
  /* weights for a bone the skeleton lacks */
  const char *const bone[] = {"default_weights.mhw", "\"no_such_bone\"", "skeleton does not have", NULL};
  expect_load_error("default_weights.mhw",
                    "{\"weights\": {\"spine01\": [[0, 1.0]], \"no_such_bone\": [[1, 0.5]]}}\n", bone);
  /* a weight list with a vertex beyond the mesh */
  const char *const wv[] = {"\"spine01\"", "vertex index in 0..19157", NULL};
  expect_load_error("default_weights.mhw", "{\"weights\": {\"spine01\": [[19158, 1.0]]}}\n", wv);
  /* JSON cut short / broken, with the line */
  const char *const json_cut[] = {"default.mhskel:3:", "unexpected end of file", NULL};
  expect_load_error("default.mhskel", "{\n  \"bones\": {\n", json_cut);
  const char *const json_bad[] = {"default.mhskel:2:", "JSON syntax error", NULL};
  expect_load_error("default.mhskel", "{\"bones\": {},\n  \"joints\": {] }\n", json_bad);
  /* a bone whose head names no joint */
  const char *const head[] = {"bone \"root\"", "joint \"nowhere\" is not in \"joints\"", NULL};
  expect_load_error("default.mhskel",
                    "{\"joints\": {\"a\": [0]}, \"bones\": {\"root\": {\"head\": \"nowhere\", "
                    "\"tail\": \"a\", \"parent\": null}}}\n", head);
}

static void test_bad_shapes_and_joints(void) {
  dp_mh_model *m = dp_mh_fixture();
  dp_mh_body b;
  dp_mh_shape s = dp_mh_default_shapes()[0].shape;
  s.weight = 1.5f;
  CU_ASSERT(dp_mh_body_build(m, &s, &b) == -1);
  CU_ASSERT(strstr(dp_error_message(), "weight = 1.5") != NULL);
  dp_error_clear();
  s = dp_mh_default_shapes()[0].shape;
  s.asian = 0.9f;
  CU_ASSERT(dp_mh_body_build(m, &s, &b) == -1);
  CU_ASSERT(strstr(dp_error_message(), "race weights") != NULL);
  dp_error_clear();
  CU_ASSERT_FATAL(dp_mh_body_build(m, NULL, &b) == 0);
  float j[45];
  memcpy(j, b.joints, sizeof j);
  j[3 * 6 + 2] = NAN;
  dp_mesh mesh;
  dp_mesh_init(&mesh);
  dp_mh_posed posed;
  CU_ASSERT(dp_mh_pose(m, &b, j, &mesh, &posed) == -1);
  CU_ASSERT(strstr(dp_error_message(), "\"r_elbow\" is not finite") != NULL);
  CU_ASSERT(mesh.nv == 0);
  dp_error_clear();
  dp_mesh_free(&mesh);
  dp_mh_body_free(&b);
}

/* Memory per rank, and building after the targets are released. Runs last: it drops
 * the fixture's targets. */
static void test_memory_and_drop(void) {
  dp_mh_model *m = dp_mh_fixture();
  size_t with = dp_mh_model_bytes(m);
  dp_mh_model_drop_targets(m);
  size_t without = dp_mh_model_bytes(m), body = dp_mh_body_bytes(m);
  printf("\n  memory: assets %.2f MB with targets, %.2f MB after dropping them; %.1f kB per "
         "built shape; 12 shapes: %.2f MB", with / 1e6, without / 1e6, body / 1e3,
         (without + 12 * body) / 1e6);
  CU_ASSERT(with > 10e6 && without < 3e6 && body < 200e3);
  dp_mh_body b;
  CU_ASSERT(dp_mh_body_build(m, &dp_mh_default_shapes()[0].shape, &b) == -1);
  CU_ASSERT(strstr(dp_error_message(), "released") != NULL);
  dp_error_clear();
  CU_ASSERT(dp_mh_body_build(m, NULL, &b) == 0); /* the neutral body needs no target */
  dp_mh_body_free(&b);
  dp_mh_model_free(m);
}

DP_TEST_MAIN("makehuman", DP_TEST(test_assets_loaded), DP_TEST(test_joint_subset),
             DP_TEST(test_target_weight_rule), DP_TEST(test_readme_check_sizes),
             DP_TEST(test_rest_pose_is_base_mesh),
             DP_TEST(test_winding_and_parts), DP_TEST(test_default_shapes),
             DP_TEST(test_sampled_shapes), DP_TEST(test_bad_input),
             DP_TEST(test_bad_shapes_and_joints), DP_TEST(test_memory_and_drop))

/* render.h - the numerical core of the render stage: triangle meshes, a z-buffer
 * rasterizer, a parametric body posed from joint positions, cameras, backgrounds and
 * a depth-sensor model. Pure C, no MPI, no HDF5; the stage glue
 * (stages/render/stage_render.c) composes them per frame.
 *
 * Conventions (all of them, in one place):
 *  - World: millimetres, Y up, right-handed (poses as in pose.h).
 *  - Camera: x right, y down (in the image), z forward along the optical axis;
 *    right-handed. A 3x4 row-major matrix m maps world to camera: c = R w + t with
 *    R = m[0..2], m[4..6], m[8..10] (rows = camera x, y, z axes in world coordinates)
 *    and t = (m[3], m[7], m[11]).
 *  - Pixels: u = fx x / z + cx, v = fy y / z + cy, in continuous image coordinates where
 *    pixel (i, j) covers [i, i+1) x [j, j+1) and its centre is (i + 0.5, j + 0.5). So
 *    cx = W/2, cy = H/2 is the exact image centre. 2-D joints and boxes use these
 *    coordinates.
 *  - Depth: camera z in mm (distance along the optical axis, what a ToF camera
 *    reports after its radial-to-axial correction), never the Euclidean ray length.
 *    Float buffers hold +inf where nothing was drawn; the sensor's uint16 output holds
 *    whole millimetres with 0 = no return.
 *  - Object ids (uint16 per triangle and per pixel): 0 nothing, 1..31 body parts
 *    (dp_body_part), 32+ background (DP_ID_FLOOR, ...). dp_id_is_body() tells them
 *    apart, so the id buffer doubles as an optional body-part label map.
 *  - Randomness: every draw for frame f is a pure function of (seed, f) through rng.h
 *    with stream DP_STREAM_RENDER, index f and the sub-indices below, so any rank
 *    renders frame f identically. */
#ifndef DEPTHPOSE_RENDER_H
#define DEPTHPOSE_RENDER_H
#include <stddef.h>
#include <stdint.h>

/* Sub-indices of DP_STREAM_RENDER (index = frame, or shape / parameter number). */
enum {
  DP_RENDER_SUB_CAMERA = 1,
  DP_RENDER_SUB_BACKGROUND = 2,
  DP_RENDER_SUB_SENSOR = 3,
  DP_RENDER_SUB_SHAPE = 4, /* index = shape-table parameter number */
  DP_RENDER_SUB_WALLS = 5,
  DP_RENDER_SUB_USER = 16, /* first sub-index free for the stage glue (body choice...) */
};

/* ---- object ids ---------------------------------------------------------- */
typedef enum {
  DP_PART_NONE = 0,
  DP_PART_HEAD, DP_PART_NECK, DP_PART_TRUNK,
  DP_PART_L_UPPER_ARM, DP_PART_R_UPPER_ARM, DP_PART_L_FOREARM, DP_PART_R_FOREARM,
  DP_PART_L_HAND, DP_PART_R_HAND,
  DP_PART_L_THIGH, DP_PART_R_THIGH, DP_PART_L_SHIN, DP_PART_R_SHIN,
  DP_PART_L_FOOT, DP_PART_R_FOOT,
  DP_PART_COUNT /* 16: ids 1..15 are body parts */
} dp_body_part;
#define DP_ID_BODY_MAX 31
#define DP_ID_FLOOR 32
#define DP_ID_WALL 33
#define DP_ID_CLUTTER 34
static inline int dp_id_is_body(uint16_t id) { return id >= 1 && id <= DP_ID_BODY_MAX; }

/* ---- mesh.c: triangle lists ---------------------------------------------- */
/* Indexed triangles: v holds nv xyz vertices, tri nt index triples, id nt object ids.
 * Primitives wind their triangles counter-clockwise seen from outside (outward
 * normals), which the rasterizer's optional back-face culling relies on. Clearing
 * keeps the storage, so one mesh is reused for every frame without malloc. */
typedef struct {
  float *v;
  uint32_t *tri;
  uint16_t *id;
  int nv, nt;
  int cap_v, cap_t;
} dp_mesh;

void dp_mesh_init(dp_mesh *m);
void dp_mesh_free(dp_mesh *m);
void dp_mesh_clear(dp_mesh *m);
int dp_mesh_reserve(dp_mesh *m, int extra_v, int extra_t);
/* Append a vertex; returns its index, or -1 (dp_fail) when out of memory. */
int dp_mesh_vertex(dp_mesh *m, float x, float y, float z);
int dp_mesh_triangle(dp_mesh *m, int a, int b, int c, uint16_t id);
int dp_mesh_append(dp_mesh *dst, const dp_mesh *src); /* src's triangles keep their ids */
/* Fail (naming `what`) if any vertex is not finite. */
int dp_mesh_check_finite(const dp_mesh *m, const char *what);

/* A surface of revolution around the segment origin + s * axis_unit: the profile is
 * n points (s_k, rho_k) in mm along/around the axis, rho_k >= 0; a point with rho = 0
 * becomes one pole vertex. `seg` points around each ring (>= 3). axes[9] row-major
 * 3x3 maps the local frame (x, y = across the axis, z = along it) to world, so an
 * ellipsoid is a unit sphere revolved with scaled axes. */
int dp_mesh_revolve(dp_mesh *m, const float origin[3], const float axes[9], const float *s,
                    const float *rho, int n, int seg, uint16_t id);
/* Tapered capsule: the convex hull of a sphere of radius ra at a and rb at b (two
 * spherical caps joined by the cone tangent to both; a cylinder with hemispherical
 * caps when ra = rb). `rings` latitude steps per cap (>= 2), seg around (>= 3).
 * Vertices lie on the true surface, so the tessellated surface is inside it by at most
 * r (1 - cos(pi / seg)) - the tessellation bound. */
int dp_mesh_capsule(dp_mesh *m, const float a[3], const float b[3], float ra, float rb,
                    int seg, int rings, uint16_t id);
/* Ellipsoid with semi-axes r[0..2] along the columns of rot (row-major 3x3, NULL =
 * world axes), r[2]'s axis being the pole axis. rings >= 2 latitude steps pole to
 * pole, seg >= 3 around. */
int dp_mesh_ellipsoid(dp_mesh *m, const float c[3], const float r[3], const float *rot,
                      int seg, int rings, uint16_t id);
/* Closed cylinder (flat caps) between a and b. */
int dp_mesh_cylinder(dp_mesh *m, const float a[3], const float b[3], float r, int seg,
                     uint16_t id);
/* Box with half-extents h[0..2] along the columns of rot (NULL = world axes). */
int dp_mesh_box(dp_mesh *m, const float c[3], const float h[3], const float *rot,
                uint16_t id);
/* Quad p0, p0+u, p0+u+v, p0+v (two triangles; front side is u x v). */
int dp_mesh_quad(dp_mesh *m, const float p0[3], const float u[3], const float v[3],
                 uint16_t id);

/* ---- raster.c: z-buffer rasterizer ---------------------------------------- */
typedef struct {
  float fx, fy, cx, cy; /* pixels */
  int width, height;
  float near_mm; /* clipping plane z = near in camera space (> 0) */
} dp_intrinsics;

/* The default 176x144 ToF sensor (Human3.6M's), ~44 x 35 degree field of view:
 * fx = 176 / (2 tan 22deg) ~ 217.8, fy = 144 / (2 tan 17.5deg) ~ 228.3, principal point
 * at the image centre, near plane 100 mm. */
void dp_intrinsics_default(dp_intrinsics *k);
/* Same field of view at another resolution. */
void dp_intrinsics_fov(dp_intrinsics *k, int width, int height, double hfov_rad,
                       double vfov_rad);
/* Fail with a clear message for impossible intrinsics (non-positive or non-finite
 * focal length, size, near plane; principal point far outside the image). */
int dp_intrinsics_check(const dp_intrinsics *k);

typedef struct {
  int width, height;
  float *depth; /* camera z in mm, +inf = empty */
  uint16_t *id; /* object id per pixel, 0 = empty; NULL if not wanted */
  float *scratch; /* camera-space vertices of the mesh being drawn (reused) */
  int scratch_cap;
  int cull_backfaces; /* 0 (default): draw both faces. See raster.c. */
} dp_zbuffer;

int dp_zbuffer_init(dp_zbuffer *zb, int width, int height, int with_id);
void dp_zbuffer_clear(dp_zbuffer *zb); /* depth = +inf, id = 0 */
void dp_zbuffer_free(dp_zbuffer *zb);
/* Draw one camera-space triangle (clipped at near). */
void dp_raster_triangle(dp_zbuffer *zb, const dp_intrinsics *k, const float a[3],
                        const float b[3], const float c[3], uint16_t id);
/* Draw every triangle of a world-space mesh seen through world->camera matrix m
 * (NULL = mesh already in camera space). Fails only on memory or a size mismatch. */
int dp_raster_mesh(dp_zbuffer *zb, const dp_intrinsics *k, const float m[12],
                   const dp_mesh *mesh);

/* ---- camera.c: extrinsics, projection, boxes ------------------------------ */
/* Ranges of the per-frame random camera. The camera sits at distance d from the
 * look-at target, at azimuth a around the world Y axis (a = 0: on the +Z side of the
 * target, looking toward -Z; increasing a moves it toward +X) and elevation e above
 * the target's horizontal plane, then rolls by r around its optical axis. */
typedef struct {
  float azimuth_min, azimuth_max;     /* radians, default [0, 2 pi) */
  float elevation_min, elevation_max; /* radians, default [-0.1, 0.5] */
  float distance_min, distance_max;   /* mm, default [3200, 5500]: the whole body fits the
                                         35-degree vertical field of view beyond ~3 m */
  float roll_max;                     /* radians, uniform in [-roll_max, roll_max], 0.05 */
  float jitter_mm;                    /* target = body centre + N(0, jitter^2) per axis, 50 */
} dp_camera_ranges;

typedef struct {
  float m[12];  /* world -> camera, 3x4 row-major */
  float eye[3]; /* camera centre in world mm */
  float target[3];
  float azimuth, elevation, distance, roll;
} dp_camera;

void dp_camera_ranges_default(dp_camera_ranges *r);
int dp_camera_ranges_check(const dp_camera_ranges *r);
/* Camera at the given spherical position around target (see dp_camera_ranges). */
int dp_camera_orbit(dp_camera *cam, const float target[3], double azimuth, double elevation,
                    double distance, double roll);
/* The frame's random camera: a pure function of (seed, frame) and the ranges. */
int dp_camera_sample(dp_camera *cam, const dp_camera_ranges *r, const float body_centre[3],
                     uint64_t seed, uint64_t frame);
void dp_camera_apply(const float m[12], const float w[3], float c[3]);
/* Pinhole projection of a camera-space point (z > 0) to continuous pixel coords. */
void dp_project(const dp_intrinsics *k, const float c[3], float uv[2]);
/* n world joints -> camera-space joints cam[n*3] (may be NULL) and pixels uv[n*2]. */
void dp_project_points(const dp_intrinsics *k, const float m[12], const float *world, int n,
                       float *cam, float *uv);
/* Tight box [u0, v0, u1, v1] (pixel edges: u1 = last column + 1) of the pixels whose id
 * satisfies dp_id_is_body; returns the number of such pixels (box all 0 when none). */
long dp_bbox_body_pixels(const uint16_t *id, int width, int height, float box[4]);
/* Box of n projected points. */
void dp_bbox_points(const float *uv, int n, float box[4]);

/* ---- body_parametric.c: body model ---------------------------------------- */
/* Shape parameters, all relative to a standard adult (1.0 / 0 mm); ranges drawn by
 * dp_body_shape_table are listed there. */
typedef struct {
  float girth;          /* overall cross-section scale of trunk and limbs */
  float trunk_width;    /* extra lateral scale of the trunk */
  float trunk_depth;    /* extra front-back scale of the trunk */
  float limb_thickness; /* extra scale of arm and leg radii */
  float belly;          /* mm of forward protrusion at the waist */
  float head_size;      /* head scale */
} dp_body_shape;

void dp_body_shape_standard(dp_body_shape *s);
/* n (>= 1) distinct shapes, a pure function of (seed, n): a Latin hypercube over the
 * documented ranges (each parameter's n values fall in n different strata). The
 * stage uses n >= 12. */
int dp_body_shape_table(uint64_t seed, int n, dp_body_shape *out);

/* The body interface: pose (J x 3 world mm, joint order known to the model) + shape ->
 * triangles appended to out, ids = dp_body_part. A skinned mesh model can provide the
 * same signature beside the parametric one. */
typedef int (*dp_body_build_fn)(const void *model, const float *joints,
                                const dp_body_shape *shape, dp_mesh *out);

/* Indices, in the caller's joint list, of the joints the parametric body needs. */
typedef struct {
  int head, neck, torso, l_shoulder, r_shoulder, l_elbow, r_elbow, l_hand, r_hand, l_hip,
      r_hip, l_knee, r_knee, l_foot, r_foot;
} dp_body_joints;
#define DP_BODY_NJOINTS 15 /* fields of dp_body_joints, in the canonical order */

/* Look the 15 canonical names up in names[0..n); fails naming the first missing one. */
int dp_body_joints_lookup(dp_body_joints *ix, const char *const *names, int n);

typedef struct {
  dp_body_joints ix;
  int n_joints; /* J of the joint list (for checks) */
  int seg;      /* points around each limb ring (default 12) */
  int rings;    /* latitude steps per cap (default 3) */
} dp_body_param_model;

/* Model for the joint list names[0..n) at the default tessellation. */
int dp_body_param_init(dp_body_param_model *model, const char *const *names, int n);
/* dp_body_build_fn of the parametric body. Fails on non-finite joints. */
int dp_body_param_build(const void *model, const float *joints, const dp_body_shape *shape,
                        dp_mesh *out);
/* Radius (mm) of the body part that contains each canonical joint, in dp_body_joints
 * field order: how far in front of a joint its body surface can be. */
void dp_body_param_joint_radii(const dp_body_shape *shape, float radius[DP_BODY_NJOINTS]);
/* Body centre (middle of the joints' bounding box) - the camera's look-at point. */
void dp_body_param_centre(const dp_body_param_model *model, const float *joints,
                          float centre[3]);
/* Height of the ground under the feet: lowest foot joint minus the foot's radius. */
float dp_body_param_floor_y(const dp_body_param_model *model, const float *joints,
                            const dp_body_shape *shape);

/* ---- background.c: floor, walls, clutter ---------------------------------- */
typedef struct {
  float p_floor;                    /* probability of a floor (default 0.8) */
  float p_wall;                     /* of a wall behind the body (0.6) */
  float p_corner;                   /* of a second, perpendicular wall, given a wall (0.3) */
  float p_clutter;                  /* of clutter objects (0.4) */
  float wall_dist_min, wall_dist_max; /* mm behind the body centre (500, 2500) */
  float wall_angle_max;             /* radians of yaw away from facing the camera (0.6) */
  int clutter_max;                  /* 1..clutter_max boxes/cylinders (4) */
  float clutter_size_min, clutter_size_max; /* mm, largest half-extent (150, 600) */
  float clutter_dist_min, clutter_dist_max; /* mm from the body centre (900, 2500) */
  float extent;                     /* mm half-size of floor and walls (6000) */
  float wall_height;                /* mm (3000) */
} dp_background_config;

void dp_background_default(dp_background_config *c);
void dp_background_none(dp_background_config *c); /* every probability 0 */
int dp_background_check(const dp_background_config *c);
/* Append this frame's background for a body centred at `centre` standing on floor_y
 * seen from cam->eye: a pure function of (seed, frame). Nothing is put between the
 * camera and the body, and no surface is placed behind the camera's eye. */
int dp_background_build(const dp_background_config *c, const float centre[3], float floor_y,
                        const dp_camera *cam, uint64_t seed, uint64_t frame, dp_mesh *out);

/* ---- sensor.c: depth-sensor realism --------------------------------------- */
typedef struct {
  float noise_a_mm;      /* sigma = a + b z^2, z in METRES, sigma in mm */
  float noise_b_mm_per_m2;
  float flying_prob;     /* chance that a pixel on a depth edge becomes a flying pixel */
  float edge_mm;         /* depth jump (mm) to a 4-neighbour that makes an edge */
  float dropout_prob;    /* chance that a returning pixel returns nothing */
  float max_range_mm;    /* farther than this -> 0 (no return); 0 = unlimited */
  /* noise, range and dropout act in this order after the flying pixels */
} dp_sensor_config;

void dp_sensor_clean(dp_sensor_config *c);       /* every effect off */
void dp_sensor_tof_default(dp_sensor_config *c); /* a plausible ToF camera */
int dp_sensor_check(const dp_sensor_config *c);
/* Turn a rendered float depth buffer (+inf = empty; modified in place: it ends as the
 * noisy float depth) into the sensor's uint16 image out[W*H], mm rounded to nearest,
 * 0 = no return (empty, dropped, beyond max range, or >= 65535.5 mm). If id is not
 * NULL, pixels that end with no return get id 0 - compute the body's box before. */
int dp_sensor_apply(const dp_sensor_config *c, float *depth, uint16_t *id, int width,
                    int height, uint64_t seed, uint64_t frame, uint16_t *out);

#endif

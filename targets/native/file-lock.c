/*
 * file-lock: flock(2) for Node, which has none of its own. The emulated workers elect a leader
 * with it the way a Python app does with fcntl.flock(fd, LOCK_EX | LOCK_NB): the lock belongs to
 * the open file, so the kernel releases it the moment the holding process dies, however it dies.
 *
 * Exports:
 *   tryLock(fd) -> boolean   flock(fd, LOCK_EX | LOCK_NB): true when this process now holds the
 *                            lock, false when another open file holds it (EWOULDBLOCK); throws
 *                            on any other error
 *   unlock(fd)               flock(fd, LOCK_UN)
 */
#include <errno.h>
#include <node_api.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <uv.h>

#define CHECK(env, call)                                                                           \
  do {                                                                                             \
    if ((call) != napi_ok) {                                                                       \
      napi_throw_error((env), "EADDON", "file-lock: N-API call failed: " #call);                  \
      return NULL;                                                                                 \
    }                                                                                              \
  } while (0)

static napi_value throw_errno(napi_env env, const char* syscall, int err) {
  char message[160];
  snprintf(message, sizeof message, "%s failed: %s", syscall, strerror(err));
  napi_value msg, code, error;
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg);
  napi_create_string_utf8(env, uv_err_name(uv_translate_sys_error(err)), NAPI_AUTO_LENGTH, &code);
  napi_create_error(env, code, msg, &error);
  napi_throw(env, error);
  return NULL;
}

static int read_fd(napi_env env, napi_callback_info info, int32_t* fd) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return -1;
  if (napi_get_value_int32(env, argv[0], fd) != napi_ok) return -1;
  return 0;
}

/* tryLock(fd: number) -> boolean */
static napi_value js_try_lock(napi_env env, napi_callback_info info) {
  int32_t fd;
  if (read_fd(env, info, &fd) != 0) {
    napi_throw_type_error(env, "EINVAL", "tryLock(fd) needs a file descriptor");
    return NULL;
  }
  int rc;
  do rc = flock(fd, LOCK_EX | LOCK_NB);
  while (rc < 0 && errno == EINTR);
  napi_value result;
  if (rc == 0) {
    CHECK(env, napi_get_boolean(env, true, &result));
    return result;
  }
  if (errno == EWOULDBLOCK) {
    CHECK(env, napi_get_boolean(env, false, &result));
    return result;
  }
  return throw_errno(env, "flock", errno);
}

/* unlock(fd: number) */
static napi_value js_unlock(napi_env env, napi_callback_info info) {
  int32_t fd;
  if (read_fd(env, info, &fd) != 0) {
    napi_throw_type_error(env, "EINVAL", "unlock(fd) needs a file descriptor");
    return NULL;
  }
  if (flock(fd, LOCK_UN) < 0) return throw_errno(env, "flock", errno);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value try_lock_fn, unlock_fn;
  CHECK(env, napi_create_function(env, "tryLock", NAPI_AUTO_LENGTH, js_try_lock, NULL,
                                  &try_lock_fn));
  CHECK(env, napi_create_function(env, "unlock", NAPI_AUTO_LENGTH, js_unlock, NULL, &unlock_fn));
  CHECK(env, napi_set_named_property(env, exports, "tryLock", try_lock_fn));
  CHECK(env, napi_set_named_property(env, exports, "unlock", unlock_fn));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

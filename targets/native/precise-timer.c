/*
 * precise-timer: wakes a Node process at an instant of CLOCK_MONOTONIC to the microsecond, for
 * the emulated handlers' sleeps.
 *
 * Why this exists: a Python handler's time.sleep() ends within tens of microseconds of the time
 * asked (clock_nanosleep), but Node's setTimeout counts whole milliseconds from the event loop's
 * cached clock, so an emulated 200 ms handler ran about a millisecond longer than asked on a
 * quiet machine (issue 13's "handlers longer than asked"). Each of those milliseconds is
 * multiplied by 1/timeScale in scenario time and added to every later request on the same
 * worker. A timerfd armed at an absolute instant and polled on the process's own loop ends the
 * sleep when the kernel says the instant has come, with the loop still free meanwhile.
 *
 * Exports:
 *   wakeAt(deadlineNs: bigint, callback: () => void)   calls callback once, on this process's
 *                                                       event loop, when CLOCK_MONOTONIC reaches
 *                                                       deadlineNs (process.hrtime.bigint()'s
 *                                                       clock); at once if it already has
 */
#include <errno.h>
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#define CHECK(env, call)                                                                           \
  do {                                                                                             \
    if ((call) != napi_ok) {                                                                       \
      napi_throw_error((env), "EADDON", "precise-timer: N-API call failed: " #call);              \
      return NULL;                                                                                 \
    }                                                                                              \
  } while (0)

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context async_context;
  int fd;
} wake_t;

static napi_value throw_errno(napi_env env, const char* syscall, int err) {
  char message[160];
  snprintf(message, sizeof message, "%s failed: %s", syscall, strerror(err));
  napi_throw_error(env, uv_err_name(uv_translate_sys_error(err)), message);
  return NULL;
}

static void wake_free(uv_handle_t* handle) {
  wake_t* wake = handle->data;
  close(wake->fd);
  free(wake);
}

static void on_due(uv_poll_t* handle, int status, int events) {
  (void)status;
  (void)events;
  wake_t* wake = handle->data;
  uint64_t expirations;
  /* Nonblocking: EAGAIN would mean a spurious wake-up, which leaves the timer armed. */
  if (status == 0 && read(wake->fd, &expirations, sizeof expirations) < 0 && errno == EAGAIN) return;
  uv_poll_stop(&wake->poll);
  napi_env env = wake->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) == napi_ok) {
    napi_value callback, recv, ignored;
    if (napi_get_reference_value(env, wake->callback, &callback) == napi_ok &&
        napi_get_global(env, &recv) == napi_ok) {
      napi_status called =
          napi_make_callback(env, wake->async_context, recv, callback, 0, NULL, &ignored);
      if (called == napi_pending_exception) {
        napi_value exception;
        napi_get_and_clear_last_exception(env, &exception);
        napi_fatal_exception(env, exception);
      }
    }
    napi_close_handle_scope(env, scope);
  }
  napi_delete_reference(env, wake->callback);
  napi_async_destroy(env, wake->async_context);
  uv_close((uv_handle_t*)&wake->poll, wake_free);
}

/* wakeAt(deadlineNs: bigint, callback: () => void) */
static napi_value js_wake_at(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint64_t deadline;
  bool lossless;
  napi_valuetype callback_type;
  if (argc < 2 || napi_get_value_bigint_uint64(env, argv[0], &deadline, &lossless) != napi_ok ||
      napi_typeof(env, argv[1], &callback_type) != napi_ok || callback_type != napi_function) {
    napi_throw_type_error(env, "EINVAL", "wakeAt(deadlineNs, callback) needs a bigint and a function");
    return NULL;
  }
  uv_loop_t* loop;
  CHECK(env, napi_get_uv_event_loop(env, &loop));
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (fd < 0) return throw_errno(env, "timerfd_create", errno);
  /* An it_value of zero would disarm the timer: a deadline at or before the epoch fires at 1 ns. */
  if (deadline == 0) deadline = 1;
  struct itimerspec when;
  memset(&when, 0, sizeof when);
  when.it_value.tv_sec = (time_t)(deadline / 1000000000u);
  when.it_value.tv_nsec = (long)(deadline % 1000000000u);
  if (timerfd_settime(fd, TFD_TIMER_ABSTIME, &when, NULL) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "timerfd_settime", err);
  }
  wake_t* wake = calloc(1, sizeof *wake);
  if (wake == NULL) {
    close(fd);
    napi_throw_error(env, "ENOMEM", "wakeAt: out of memory");
    return NULL;
  }
  wake->env = env;
  wake->fd = fd;
  int rc = uv_poll_init(loop, &wake->poll, fd);
  if (rc < 0) {
    close(fd);
    free(wake);
    return throw_errno(env, "uv_poll_init", -rc);
  }
  wake->poll.data = wake;
  napi_value resource_name;
  if (napi_create_string_utf8(env, "PreciseTimer", NAPI_AUTO_LENGTH, &resource_name) != napi_ok ||
      napi_async_init(env, NULL, resource_name, &wake->async_context) != napi_ok ||
      napi_create_reference(env, argv[1], 1, &wake->callback) != napi_ok) {
    uv_close((uv_handle_t*)&wake->poll, wake_free);
    napi_throw_error(env, "EADDON", "wakeAt: N-API call failed");
    return NULL;
  }
  rc = uv_poll_start(&wake->poll, UV_READABLE, on_due);
  if (rc < 0) {
    napi_delete_reference(env, wake->callback);
    napi_async_destroy(env, wake->async_context);
    uv_close((uv_handle_t*)&wake->poll, wake_free);
    return throw_errno(env, "uv_poll_start", -rc);
  }
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value wake_at;
  CHECK(env, napi_create_function(env, "wakeAt", NAPI_AUTO_LENGTH, js_wake_at, NULL, &wake_at));
  CHECK(env, napi_set_named_property(env, exports, "wakeAt", wake_at));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

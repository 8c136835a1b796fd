/*
 * accept-gate: lets a Node process accept connections from a listening socket one at a time,
 * only when it chooses to, the way gunicorn's and Werkzeug's workers do.
 *
 * Why this exists: libuv accepts every pending connection as soon as a listening socket becomes
 * readable, and Node offers no way to pause that. A gunicorn sync worker, by contrast, calls
 * accept() only when it is idle, so waiting connections stay in the kernel's accept queue, which
 * all workers share as one first-come-first-served queue. A gthread worker accepts one
 * connection per wake-up of its selector while it holds fewer than worker_connections. To
 * reproduce either, the accept() call itself must be under the worker's control.
 *
 * Exports:
 *   listen(host, port, backlog) -> { fd, port }   a non-blocking, close-on-exec listening socket
 *   AcceptGate(fd, onAccept)                        polls fd; on each readable event accepts at
 *     .resume() / .pause() / .close()               most one connection and calls
 *                                                  onAccept(err, fd, acceptedAtNs, head)
 *     .tryAccept() -> { fd, acceptedAtNs, head }    accepts one waiting connection now, without
 *                     | null                       waiting for the loop to poll; null when none
 *                                                  waits (or accept failed: the poll reports it)
 *
 * head is what the client had already sent when its connection was accepted (a Buffer of at most
 * HEAD_MAX bytes, read at once), or null when it had sent nothing yet. Both gunicorn's sync
 * worker and Werkzeug read the request right after accept() (sync.py handle() -> the parser's
 * recv(); socketserver's finish_request); a Node socket made from the descriptor reads only when
 * the event loop next polls it, a whole turn of the loop later, which made the emulated hand-off
 * between requests longer than gunicorn's. The caller gives head to the socket before its
 * parser (handler.ts adoptConnection); what is not read here the socket reads as usual.
 *   setParentDeathSignal(signal) -> ppid            prctl(PR_SET_PDEATHSIG) for this process
 *
 * acceptedAtNs is uv_hrtime() (CLOCK_MONOTONIC, nanoseconds) as a BigInt: the same clock as
 * process.hrtime.bigint() in every process on this machine.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <node_api.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define CHECK(env, call)                                                                           \
  do {                                                                                             \
    if ((call) != napi_ok) {                                                                       \
      napi_throw_error((env), "EADDON", "accept-gate: N-API call failed: " #call);                \
      return NULL;                                                                                 \
    }                                                                                              \
  } while (0)

static napi_value throw_errno(napi_env env, const char* syscall, int err) {
  char message[160];
  snprintf(message, sizeof message, "%s failed: %s", syscall, strerror(err));
  napi_value msg, code, error, errno_value, syscall_value;
  const char* name = uv_err_name(uv_translate_sys_error(err));
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg);
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_error(env, code, msg, &error);
  napi_create_int32(env, -err, &errno_value);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &syscall_value);
  napi_set_named_property(env, error, "errno", errno_value);
  napi_set_named_property(env, error, "syscall", syscall_value);
  napi_set_named_property(env, error, "code", code);
  napi_throw(env, error);
  return NULL;
}

/* listen(host: string, port: number, backlog: number) -> { fd, port } */
static napi_value js_listen(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) {
    napi_throw_type_error(env, "EINVAL", "listen(host, port, backlog) needs three arguments");
    return NULL;
  }
  char host[64];
  size_t host_len;
  int32_t port, backlog;
  CHECK(env, napi_get_value_string_utf8(env, argv[0], host, sizeof host, &host_len));
  CHECK(env, napi_get_value_int32(env, argv[1], &port));
  CHECK(env, napi_get_value_int32(env, argv[2], &backlog));

  struct sockaddr_storage addr;
  socklen_t addr_len;
  memset(&addr, 0, sizeof addr);
  struct sockaddr_in* v4 = (struct sockaddr_in*)&addr;
  struct sockaddr_in6* v6 = (struct sockaddr_in6*)&addr;
  int family;
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    family = AF_INET;
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    addr_len = sizeof *v4;
  } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    family = AF_INET6;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    addr_len = sizeof *v6;
  } else {
    napi_throw_type_error(env, "EINVAL", "listen: host must be a numeric IPv4 or IPv6 address");
    return NULL;
  }

  int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno);
  int one = 1;
  /* Both Werkzeug (socketserver.TCPServer.allow_reuse_address) and gunicorn set SO_REUSEADDR. */
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "setsockopt", err);
  }
  if (bind(fd, (struct sockaddr*)&addr, addr_len) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "bind", err);
  }
  if (listen(fd, backlog) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "listen", err);
  }
  struct sockaddr_storage bound;
  socklen_t bound_len = sizeof bound;
  if (getsockname(fd, (struct sockaddr*)&bound, &bound_len) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "getsockname", err);
  }
  int bound_port = family == AF_INET ? ntohs(((struct sockaddr_in*)&bound)->sin_port)
                                     : ntohs(((struct sockaddr_in6*)&bound)->sin6_port);
  napi_value result, fd_value, port_value;
  CHECK(env, napi_create_object(env, &result));
  CHECK(env, napi_create_int32(env, fd, &fd_value));
  CHECK(env, napi_create_int32(env, bound_port, &port_value));
  CHECK(env, napi_set_named_property(env, result, "fd", fd_value));
  CHECK(env, napi_set_named_property(env, result, "port", port_value));
  return result;
}

/* setParentDeathSignal(signal: number) -> parent pid at the time of the call */
static napi_value js_set_parent_death_signal(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t sig;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(env, napi_get_value_int32(env, argv[0], &sig));
  if (prctl(PR_SET_PDEATHSIG, (unsigned long)sig) < 0) return throw_errno(env, "prctl", errno);
  napi_value ppid;
  CHECK(env, napi_create_int32(env, (int32_t)getppid(), &ppid));
  return ppid;
}

/* Enough for a request's head: Node's HTTP parser refuses heads over 16 KiB by default. */
#define HEAD_MAX 16384

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_ref self;
  napi_async_context async_context;
  int fd;
  int polling;
  int closed;
  /* The gate's memory is freed once both its poll handle is closed and its JS object is
     collected: close() closes the handle while the object lives on, and the object may be
     collected before a handle that was never closed. Freeing it at the handle's close left the
     object pointing at freed memory, which its later methods and its finalizer read. */
  int handle_closed;
  int finalized;
  /* Where a connection's first bytes are read; copied into a Buffer of their own length. */
  char head[HEAD_MAX];
} gate_t;

static void gate_handle_closed(uv_handle_t* handle) {
  gate_t* gate = handle->data;
  gate->handle_closed = 1;
  if (gate->finalized) free(gate);
}

static void gate_release(gate_t* gate) {
  if (gate->closed) return;
  gate->closed = 1;
  gate->polling = 0;
  uv_poll_stop(&gate->poll);
  if (gate->callback != NULL) napi_delete_reference(gate->env, gate->callback);
  if (gate->async_context != NULL) napi_async_destroy(gate->env, gate->async_context);
  gate->callback = NULL;
  gate->async_context = NULL;
  uv_close((uv_handle_t*)&gate->poll, gate_handle_closed);
}

/*
 * Reads what the client `fd` has already sent into gate->head (non-blocking: the descriptor was
 * accepted with SOCK_NONBLOCK), returning the byte count, or 0 when nothing waits. An error or
 * the client's end of stream is left for the socket's own reads to find: a reset or an end read
 * here leaves the descriptor at its end, which the socket then reads as such.
 */
static ssize_t read_head(gate_t* gate, int fd) {
  ssize_t n;
  do n = recv(fd, gate->head, sizeof gate->head, 0);
  while (n < 0 && errno == EINTR);
  return n > 0 ? n : 0;
}

/* The head read by read_head as a Buffer of its own, or null when nothing was read. */
static napi_value head_value(napi_env env, gate_t* gate, ssize_t length) {
  napi_value value;
  if (length <= 0 ||
      napi_create_buffer_copy(env, (size_t)length, gate->head, NULL, &value) != napi_ok)
    napi_get_null(env, &value);
  return value;
}

static void gate_call(gate_t* gate, napi_value err_value, int fd, uint64_t accepted_at,
                      ssize_t head_length) {
  napi_env env = gate->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value callback, recv, argv[4];
  if (napi_get_reference_value(env, gate->callback, &callback) == napi_ok &&
      napi_get_global(env, &recv) == napi_ok) {
    if (err_value == NULL) napi_get_null(env, &err_value);
    argv[0] = err_value;
    napi_create_int32(env, fd, &argv[1]);
    napi_create_bigint_uint64(env, accepted_at, &argv[2]);
    argv[3] = head_value(env, gate, head_length);
    napi_value ignored;
    napi_status status =
        napi_make_callback(env, gate->async_context, recv, callback, 4, argv, &ignored);
    if (status == napi_pending_exception) {
      napi_value exception;
      napi_get_and_clear_last_exception(env, &exception);
      napi_fatal_exception(env, exception);
    }
  }
  napi_close_handle_scope(env, scope);
}

/* Sets the accepted socket's options: the same for both ways of accepting. */
static void configure_client(int client) {
  int one = 1;
  setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static void on_readable(uv_poll_t* handle, int status, int events) {
  (void)events;
  gate_t* gate = handle->data;
  if (gate->closed || !gate->polling) return;
  if (status < 0) {
    napi_handle_scope scope;
    napi_open_handle_scope(gate->env, &scope);
    napi_value code, msg, error;
    napi_create_string_utf8(gate->env, uv_err_name(status), NAPI_AUTO_LENGTH, &code);
    napi_create_string_utf8(gate->env, uv_strerror(status), NAPI_AUTO_LENGTH, &msg);
    napi_create_error(gate->env, code, msg, &error);
    gate_call(gate, error, -1, 0, 0);
    napi_close_handle_scope(gate->env, scope);
    return;
  }
  /* One accept per wake-up, as gunicorn's workers do: the others sleeping on the same socket
     get their chance on the next event. */
  int client = accept4(gate->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  uint64_t accepted_at = uv_hrtime();
  if (client < 0) {
    int err = errno;
    /* Another process won the race for this connection, or the client went away. */
    if (err == EAGAIN || err == EWOULDBLOCK || err == ECONNABORTED || err == EINTR) return;
    napi_handle_scope scope;
    napi_open_handle_scope(gate->env, &scope);
    napi_value code, msg, error;
    napi_create_string_utf8(gate->env, uv_err_name(uv_translate_sys_error(err)),
                            NAPI_AUTO_LENGTH, &code);
    napi_create_string_utf8(gate->env, strerror(err), NAPI_AUTO_LENGTH, &msg);
    napi_create_error(gate->env, code, msg, &error);
    gate_call(gate, error, -1, 0, 0);
    napi_close_handle_scope(gate->env, scope);
    return;
  }
  configure_client(client);
  gate_call(gate, NULL, client, accepted_at, read_head(gate, client));
}

static gate_t* unwrap_gate(napi_env env, napi_callback_info info) {
  napi_value self;
  gate_t* gate = NULL;
  if (napi_get_cb_info(env, info, NULL, NULL, &self, NULL) != napi_ok) return NULL;
  if (napi_unwrap(env, self, (void**)&gate) != napi_ok) return NULL;
  return gate;
}

static napi_value gate_resume(napi_env env, napi_callback_info info) {
  gate_t* gate = unwrap_gate(env, info);
  if (gate == NULL || gate->closed) {
    napi_throw_error(env, "ERR_GATE_CLOSED", "AcceptGate is closed");
    return NULL;
  }
  if (!gate->polling) {
    int rc = uv_poll_start(&gate->poll, UV_READABLE, on_readable);
    if (rc < 0) return throw_errno(env, "uv_poll_start", -rc);
    gate->polling = 1;
  }
  return NULL;
}

/*
 * A gunicorn sync worker calls accept() as soon as it is done with a request and waits in
 * select() only when nothing is there (gunicorn/workers/sync.py run_for_one). Accepting from the
 * poll instead costs a turn of the event loop between one request and the next, which made the
 * emulated hand-off longer than gunicorn's.
 */
static napi_value gate_try_accept(napi_env env, napi_callback_info info) {
  gate_t* gate = unwrap_gate(env, info);
  napi_value result;
  CHECK(env, napi_get_null(env, &result));
  if (gate == NULL || gate->closed) return result;
  int client = accept4(gate->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  uint64_t accepted_at = uv_hrtime();
  if (client < 0) return result;
  configure_client(client);
  ssize_t head_length = read_head(gate, client);
  napi_value fd_value, at_value;
  CHECK(env, napi_create_object(env, &result));
  CHECK(env, napi_create_int32(env, client, &fd_value));
  CHECK(env, napi_create_bigint_uint64(env, accepted_at, &at_value));
  CHECK(env, napi_set_named_property(env, result, "fd", fd_value));
  CHECK(env, napi_set_named_property(env, result, "acceptedAtNs", at_value));
  CHECK(env, napi_set_named_property(env, result, "head", head_value(env, gate, head_length)));
  return result;
}

static napi_value gate_pause(napi_env env, napi_callback_info info) {
  gate_t* gate = unwrap_gate(env, info);
  if (gate != NULL && !gate->closed && gate->polling) {
    uv_poll_stop(&gate->poll);
    gate->polling = 0;
  }
  return NULL;
}

static napi_value gate_close(napi_env env, napi_callback_info info) {
  gate_t* gate = unwrap_gate(env, info);
  if (gate != NULL) gate_release(gate);
  return NULL;
}

static void gate_finalize(napi_env env, void* data, void* hint) {
  (void)env;
  (void)hint;
  gate_t* gate = data;
  gate_release(gate);
  gate->finalized = 1;
  if (gate->handle_closed) free(gate);
}

/* new AcceptGate(fd: number, onAccept: (err, fd, acceptedAtNs) => void) */
static napi_value gate_new(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], self;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  int32_t fd;
  napi_valuetype callback_type;
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_typeof(env, argv[1], &callback_type) != napi_ok || callback_type != napi_function) {
    napi_throw_type_error(env, "EINVAL", "new AcceptGate(fd, onAccept) needs a number and a function");
    return NULL;
  }
  uv_loop_t* loop;
  CHECK(env, napi_get_uv_event_loop(env, &loop));
  gate_t* gate = calloc(1, sizeof *gate);
  if (gate == NULL) {
    napi_throw_error(env, "ENOMEM", "AcceptGate: out of memory");
    return NULL;
  }
  gate->env = env;
  gate->fd = fd;
  int rc = uv_poll_init(loop, &gate->poll, fd);
  if (rc < 0) {
    free(gate);
    return throw_errno(env, "uv_poll_init", -rc);
  }
  gate->poll.data = gate;
  napi_value resource_name;
  CHECK(env, napi_create_string_utf8(env, "AcceptGate", NAPI_AUTO_LENGTH, &resource_name));
  CHECK(env, napi_async_init(env, self, resource_name, &gate->async_context));
  CHECK(env, napi_create_reference(env, argv[1], 1, &gate->callback));
  CHECK(env, napi_wrap(env, self, gate, gate_finalize, NULL, NULL));
  return self;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"resume", NULL, gate_resume, NULL, NULL, NULL, napi_default, NULL},
      {"pause", NULL, gate_pause, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, gate_close, NULL, NULL, NULL, napi_default, NULL},
      {"tryAccept", NULL, gate_try_accept, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value gate_class, listen_fn, pdeathsig_fn;
  CHECK(env, napi_define_class(env, "AcceptGate", NAPI_AUTO_LENGTH, gate_new, NULL, 4, methods,
                               &gate_class));
  CHECK(env, napi_create_function(env, "listen", NAPI_AUTO_LENGTH, js_listen, NULL, &listen_fn));
  CHECK(env, napi_create_function(env, "setParentDeathSignal", NAPI_AUTO_LENGTH,
                                  js_set_parent_death_signal, NULL, &pdeathsig_fn));
  CHECK(env, napi_set_named_property(env, exports, "AcceptGate", gate_class));
  CHECK(env, napi_set_named_property(env, exports, "listen", listen_fn));
  CHECK(env, napi_set_named_property(env, exports, "setParentDeathSignal", pdeathsig_fn));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

/*
 * relay: the emulated balancer's data path (targets/balancer.ts), in C on Node's own libuv loop,
 * so that relaying a burst costs what a TCP proxy's does and not a JavaScript stream's per
 * connection.
 *
 * Why this exists: relayed through Node streams (socket.pipe), a 200-connection burst reached
 * the replicas tens of real milliseconds more spread out than sent straight to them (each relay
 * is a read callback, a 'data' event and a write, all in JavaScript); at time scale 0.1 that is
 * most of a second of scenario time added to the waits (issue 13). Here a relay is a read
 * callback that writes the bytes straight on (uv_try_write), with no allocation and no
 * JavaScript; `npm run bench -- balancer-relay` measures what it still adds.
 *
 * Exports:
 *   startRelay(fd, hosts, ports, policy, backlog) -> undefined
 *     fd       a listening socket (accept-gate's listen()), accepted from as fast as clients come
 *     hosts    backend IP addresses (numeric); ports their ports
 *     policy   0 round robin, 1 random, 2 least connections (ties round robin, as haproxy)
 *     backlog  the listening socket's accept queue
 *   relayStats() -> { accepted, refused }
 *
 * Each client connection gets its own backend connection, opened when the client connects (a
 * TCP-mode balancer's behaviour, haproxy `mode tcp`); bytes go both ways, an end is passed on
 * as a half-close, and either side's error or both ends close the pair. A backend that refuses
 * before any byte was relayed gets the client a 503, as haproxy in HTTP mode answers.
 */
#include <arpa/inet.h>
#include <node_api.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define MAX_BACKENDS 256
#define READ_BUFFER 65536

#define CHECK(env, call)                                                                           \
  do {                                                                                             \
    if ((call) != napi_ok) {                                                                       \
      napi_throw_error((env), "EADDON", "relay: N-API call failed: " #call);                      \
      return NULL;                                                                                 \
    }                                                                                              \
  } while (0)

static const char UNAVAILABLE[] =
    "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: "
    "20\r\nconnection: close\r\n\r\nno replica answered\n";

typedef struct {
  uv_tcp_t server;
  struct sockaddr_storage backends[MAX_BACKENDS];
  int active[MAX_BACKENDS];
  int count;
  int policy;
  int next;
  double accepted;
  double refused;
} relay_t;

static relay_t* the_relay = NULL;

struct conn;

/* One direction's end of a pair: its handle, and whether its reading is held back by a write
   the other side has not taken yet. */
typedef struct {
  uv_tcp_t tcp;
  struct conn* conn;
  int eof;
  int open;
} side_t;

typedef struct conn {
  side_t client;
  side_t upstream;
  uv_connect_t connect;
  int backend;
  int relayed;
  int closing;
} conn_t;

typedef struct {
  uv_write_t req;
  side_t* from; /* resumed once this write is done */
  char* data;
} pending_t;

/* One read buffer for every connection: the loop is single-threaded and each read is written
   on (or copied) before the callback returns. */
static char read_buffer[READ_BUFFER];

static int pick(relay_t* relay) {
  int count = relay->count;
  switch (relay->policy) {
    case 1:
      return rand() % count;
    case 2: {
      int best = -1;
      for (int k = 0; k < count; k++) {
        int candidate = (relay->next + k) % count;
        if (best < 0 || relay->active[candidate] < relay->active[best]) best = candidate;
      }
      relay->next = (best + 1) % count;
      return best;
    }
    default: {
      int chosen = relay->next;
      relay->next = (relay->next + 1) % count;
      return chosen;
    }
  }
}

static side_t* peer_of(side_t* side) {
  conn_t* conn = side->conn;
  return side == &conn->client ? &conn->upstream : &conn->client;
}

static void on_side_closed(uv_handle_t* handle) {
  side_t* side = handle->data;
  conn_t* conn = side->conn;
  side->open = 0;
  if (!conn->client.open && !conn->upstream.open) {
    if (the_relay != NULL && conn->backend >= 0) the_relay->active[conn->backend]--;
    free(conn);
  }
}

static void close_pair(conn_t* conn) {
  if (conn->closing) return;
  conn->closing = 1;
  if (conn->client.open && !uv_is_closing((uv_handle_t*)&conn->client.tcp))
    uv_close((uv_handle_t*)&conn->client.tcp, on_side_closed);
  if (conn->upstream.open && !uv_is_closing((uv_handle_t*)&conn->upstream.tcp))
    uv_close((uv_handle_t*)&conn->upstream.tcp, on_side_closed);
}

static void on_alloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf) {
  (void)handle;
  (void)suggested;
  buf->base = read_buffer;
  buf->len = sizeof read_buffer;
}

static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);

static void on_written(uv_write_t* req, int status) {
  pending_t* pending = (pending_t*)req;
  side_t* from = pending->from;
  free(pending->data);
  free(pending);
  if (from->conn->closing) return;
  if (status < 0) {
    close_pair(from->conn);
    return;
  }
  if (!from->eof) uv_read_start((uv_stream_t*)&from->tcp, on_alloc, on_read);
}

static void on_shutdown(uv_shutdown_t* req, int status) {
  (void)status;
  free(req);
}

static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  side_t* from = stream->data;
  conn_t* conn = from->conn;
  side_t* to = peer_of(from);
  if (conn->closing) return;
  if (nread == 0) return;
  if (nread < 0) {
    if (nread != UV_EOF) {
      close_pair(conn);
      return;
    }
    from->eof = 1;
    uv_read_stop(stream);
    if (to->eof) {
      close_pair(conn);
      return;
    }
    uv_shutdown_t* shutdown = malloc(sizeof *shutdown);
    if (shutdown == NULL || uv_shutdown(shutdown, (uv_stream_t*)&to->tcp, on_shutdown) != 0) {
      free(shutdown);
      close_pair(conn);
    }
    return;
  }
  conn->relayed = 1;
  uv_buf_t out = uv_buf_init(buf->base, (unsigned int)nread);
  int written = uv_try_write((uv_stream_t*)&to->tcp, &out, 1);
  if (written == nread) return;
  if (written < 0 && written != UV_EAGAIN) {
    close_pair(conn);
    return;
  }
  /* The peer's socket buffer is full: keep the rest, and read no more from this side until the
     peer has taken it (the back-pressure pipe() applied). */
  size_t done = written > 0 ? (size_t)written : 0;
  size_t left = (size_t)nread - done;
  pending_t* pending = malloc(sizeof *pending);
  char* copy = malloc(left);
  if (pending == NULL || copy == NULL) {
    free(pending);
    free(copy);
    close_pair(conn);
    return;
  }
  memcpy(copy, buf->base + done, left);
  pending->from = from;
  pending->data = copy;
  uv_buf_t rest = uv_buf_init(copy, (unsigned int)left);
  uv_read_stop(stream);
  if (uv_write(&pending->req, (uv_stream_t*)&to->tcp, &rest, 1, on_written) != 0) {
    free(copy);
    free(pending);
    close_pair(conn);
  }
}

/*
 * After the 503: the client's request was never read (reading starts once the backend answers),
 * and closing a socket with unread bytes sends a reset, which would reach the client before or
 * instead of the 503. So the relay ends its side (FIN), reads and drops what the client sent,
 * and closes once the client closes or errs.
 */
static void on_drain_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  (void)buf;
  side_t* side = stream->data;
  if (nread < 0) close_pair(side->conn);
}

static void on_unavailable_shutdown(uv_shutdown_t* req, int status) {
  conn_t* conn = req->data;
  free(req);
  if (status < 0 || conn->closing ||
      uv_read_start((uv_stream_t*)&conn->client.tcp, on_alloc, on_drain_read) != 0)
    close_pair(conn);
}

static void on_unavailable_sent(uv_write_t* req, int status) {
  conn_t* conn = req->data;
  free(req);
  if (status < 0 || conn->closing) {
    close_pair(conn);
    return;
  }
  uv_shutdown_t* shutdown = malloc(sizeof *shutdown);
  if (shutdown == NULL) {
    close_pair(conn);
    return;
  }
  shutdown->data = conn;
  if (uv_shutdown(shutdown, (uv_stream_t*)&conn->client.tcp, on_unavailable_shutdown) != 0) {
    free(shutdown);
    close_pair(conn);
  }
}

static void on_connected(uv_connect_t* req, int status) {
  conn_t* conn = req->data;
  if (conn->closing) return;
  if (status < 0) {
    if (the_relay != NULL) the_relay->refused++;
    if (!conn->relayed) {
      uv_write_t* write = malloc(sizeof *write);
      uv_buf_t message = uv_buf_init((char*)UNAVAILABLE, sizeof UNAVAILABLE - 1);
      if (write != NULL) {
        write->data = conn;
        if (uv_write(write, (uv_stream_t*)&conn->client.tcp, &message, 1, on_unavailable_sent) ==
            0)
          return;
        free(write);
      }
    }
    close_pair(conn);
    return;
  }
  uv_tcp_nodelay(&conn->upstream.tcp, 1);
  uv_read_start((uv_stream_t*)&conn->client.tcp, on_alloc, on_read);
  uv_read_start((uv_stream_t*)&conn->upstream.tcp, on_alloc, on_read);
}

static void on_connection(uv_stream_t* server, int status) {
  relay_t* relay = server->data;
  if (status < 0) return;
  conn_t* conn = calloc(1, sizeof *conn);
  if (conn == NULL) return;
  conn->backend = -1;
  conn->client.conn = conn;
  conn->upstream.conn = conn;
  uv_loop_t* loop = server->loop;
  uv_tcp_init(loop, &conn->client.tcp);
  conn->client.tcp.data = &conn->client;
  conn->client.open = 1;
  if (uv_accept(server, (uv_stream_t*)&conn->client.tcp) != 0) {
    close_pair(conn);
    return;
  }
  relay->accepted++;
  uv_tcp_nodelay(&conn->client.tcp, 1);
  int index = pick(relay);
  conn->backend = index;
  relay->active[index]++;
  uv_tcp_init(loop, &conn->upstream.tcp);
  conn->upstream.tcp.data = &conn->upstream;
  conn->upstream.open = 1;
  conn->connect.data = conn;
  if (uv_tcp_connect(&conn->connect, &conn->upstream.tcp,
                     (const struct sockaddr*)&relay->backends[index], on_connected) != 0) {
    relay->refused++;
    close_pair(conn);
  }
}

/* startRelay(fd: number, hosts: string[], ports: number[], policy: number, backlog: number) */
static napi_value js_start_relay(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 5) {
    napi_throw_type_error(env, "EINVAL",
                          "startRelay(fd, hosts, ports, policy, backlog) needs five arguments");
    return NULL;
  }
  if (the_relay != NULL) {
    napi_throw_error(env, "EEXIST", "startRelay: this process already relays");
    return NULL;
  }
  int32_t fd, policy, backlog;
  uint32_t count, port_count;
  CHECK(env, napi_get_value_int32(env, argv[0], &fd));
  CHECK(env, napi_get_array_length(env, argv[1], &count));
  CHECK(env, napi_get_array_length(env, argv[2], &port_count));
  CHECK(env, napi_get_value_int32(env, argv[3], &policy));
  CHECK(env, napi_get_value_int32(env, argv[4], &backlog));
  if (count == 0 || count > MAX_BACKENDS || count != port_count) {
    napi_throw_range_error(env, "EINVAL", "startRelay: 1 to 256 backends, one port each");
    return NULL;
  }
  relay_t* relay = calloc(1, sizeof *relay);
  if (relay == NULL) {
    napi_throw_error(env, "ENOMEM", "startRelay: out of memory");
    return NULL;
  }
  relay->count = (int)count;
  relay->policy = policy;
  for (uint32_t k = 0; k < count; k++) {
    napi_value host_value, port_value;
    char host[64];
    size_t host_len;
    int32_t port;
    CHECK(env, napi_get_element(env, argv[1], k, &host_value));
    CHECK(env, napi_get_element(env, argv[2], k, &port_value));
    CHECK(env, napi_get_value_string_utf8(env, host_value, host, sizeof host, &host_len));
    CHECK(env, napi_get_value_int32(env, port_value, &port));
    if (uv_ip4_addr(host, port, (struct sockaddr_in*)&relay->backends[k]) != 0 &&
        uv_ip6_addr(host, port, (struct sockaddr_in6*)&relay->backends[k]) != 0) {
      free(relay);
      napi_throw_type_error(env, "EINVAL", "startRelay: hosts must be numeric IP addresses");
      return NULL;
    }
  }
  uv_loop_t* loop;
  CHECK(env, napi_get_uv_event_loop(env, &loop));
  uv_tcp_init(loop, &relay->server);
  relay->server.data = relay;
  int rc = uv_tcp_open(&relay->server, (uv_os_sock_t)fd);
  if (rc == 0) rc = uv_listen((uv_stream_t*)&relay->server, backlog, on_connection);
  if (rc != 0) {
    napi_throw_error(env, uv_err_name(rc), uv_strerror(rc));
    return NULL;
  }
  the_relay = relay;
  return NULL;
}

/* relayStats() -> { accepted, refused } */
static napi_value js_relay_stats(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result, accepted, refused;
  CHECK(env, napi_create_object(env, &result));
  CHECK(env, napi_create_double(env, the_relay == NULL ? 0 : the_relay->accepted, &accepted));
  CHECK(env, napi_create_double(env, the_relay == NULL ? 0 : the_relay->refused, &refused));
  CHECK(env, napi_set_named_property(env, result, "accepted", accepted));
  CHECK(env, napi_set_named_property(env, result, "refused", refused));
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value start, stats;
  CHECK(env, napi_create_function(env, "startRelay", NAPI_AUTO_LENGTH, js_start_relay, NULL,
                                  &start));
  CHECK(env, napi_create_function(env, "relayStats", NAPI_AUTO_LENGTH, js_relay_stats, NULL,
                                  &stats));
  CHECK(env, napi_set_named_property(env, exports, "startRelay", start));
  CHECK(env, napi_set_named_property(env, exports, "relayStats", stats));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

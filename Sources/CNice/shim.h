// Parley's view of libnice (ICE, RFC 5245) and the bits of GLib it needs. Variadic
// functions and macros (g_object_set, g_signal_connect) are wrapped in plain functions.
#ifndef PARLEY_CNICE_SHIM_H
#define PARLEY_CNICE_SHIM_H

#include <nice/agent.h>
#include <string.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

/// A new agent on `context`: RFC 5245, one controlling side, consent freshness off, no UPnP,
/// no ICE-TCP (media is UDP, TURN may run over TCP).
static inline NiceAgent *parley_nice_agent_new(GMainContext *context, gboolean controlling) {
    NiceAgent *agent = nice_agent_new_full(context, NICE_COMPATIBILITY_RFC5245, NICE_AGENT_OPTION_NONE);
    if (agent == NULL) return NULL;
    g_object_set(G_OBJECT(agent),
                 "controlling-mode", controlling,
                 "upnp", FALSE,
                 "ice-tcp", FALSE,
                 "ice-udp", TRUE,
                 NULL);
    return agent;
}

/// The STUN server (numeric address) for server-reflexive candidates.
static inline void parley_nice_set_stun(NiceAgent *agent, const char *ip, guint port) {
    g_object_set(G_OBJECT(agent), "stun-server", ip, "stun-server-port", port, NULL);
}

/// The callbacks Parley listens to; `user` is handed back unchanged.
typedef void (*parley_nice_gathering_done_cb)(NiceAgent *agent, guint stream, gpointer user);
typedef void (*parley_nice_state_cb)(NiceAgent *agent, guint stream, guint component, guint state, gpointer user);
typedef void (*parley_nice_pair_cb)(NiceAgent *agent, guint stream, guint component, NiceCandidate *local, NiceCandidate *remote, gpointer user);
typedef void (*parley_nice_candidate_cb)(NiceAgent *agent, NiceCandidate *candidate, gpointer user);

static inline void parley_nice_connect(NiceAgent *agent, gpointer user,
                                       parley_nice_gathering_done_cb gathered,
                                       parley_nice_state_cb state,
                                       parley_nice_pair_cb pair,
                                       parley_nice_candidate_cb candidate) {
    g_signal_connect(G_OBJECT(agent), "candidate-gathering-done", G_CALLBACK(gathered), user);
    g_signal_connect(G_OBJECT(agent), "component-state-changed", G_CALLBACK(state), user);
    g_signal_connect(G_OBJECT(agent), "new-selected-pair-full", G_CALLBACK(pair), user);
    g_signal_connect(G_OBJECT(agent), "new-candidate-full", G_CALLBACK(candidate), user);
}

/// One candidate as an SDP attribute line (`a=candidate:…`) into `buffer`; 0 when it fits.
static inline int parley_nice_candidate_sdp(NiceAgent *agent, NiceCandidate *candidate, char *buffer, size_t size) {
    gchar *sdp = nice_agent_generate_local_candidate_sdp(agent, candidate);
    if (sdp == NULL) return -1;
    size_t length = strlen(sdp);
    int result = -1;
    if (length < size) { memcpy(buffer, sdp, length + 1); result = 0; }
    g_free(sdp);
    return result;
}

/// Adds one remote candidate given as an SDP attribute line; the number added (0 or 1), or -1.
static inline int parley_nice_add_remote(NiceAgent *agent, guint stream, const char *sdp) {
    NiceCandidate *candidate = nice_agent_parse_remote_candidate_sdp(agent, stream, sdp);
    if (candidate == NULL) return -1;
    GSList *list = g_slist_append(NULL, candidate);
    int added = nice_agent_set_remote_candidates(agent, stream, 1, list);
    g_slist_free_full(list, (GDestroyNotify)nice_candidate_free);
    return added;
}

/// The local credentials into the two buffers; 0 when they fit.
static inline int parley_nice_local_credentials(NiceAgent *agent, guint stream, char *ufrag, size_t ufrag_size, char *pwd, size_t pwd_size) {
    gchar *u = NULL, *p = NULL;
    if (!nice_agent_get_local_credentials(agent, stream, &u, &p)) return -1;
    int result = -1;
    if (strlen(u) < ufrag_size && strlen(p) < pwd_size) {
        memcpy(ufrag, u, strlen(u) + 1);
        memcpy(pwd, p, strlen(p) + 1);
        result = 0;
    }
    g_free(u);
    g_free(p);
    return result;
}

/// A candidate's type and address (`host` needs NICE_ADDRESS_STRING_LEN bytes).
static inline int parley_nice_candidate_address(const NiceCandidate *candidate, char *host, guint *port) {
    nice_address_to_string(&candidate->addr, host);
    *port = nice_address_get_port(&candidate->addr);
    return (int)candidate->type;
}

static inline size_t parley_nice_address_string_length(void) { return NICE_ADDRESS_STRING_LEN; }

/// The selected pair's local and remote candidates as (type, address, port); 0 when there is one.
static inline int parley_nice_selected_pair(NiceAgent *agent, guint stream,
                                            int *local_type, char *local_host, guint *local_port,
                                            int *remote_type, char *remote_host, guint *remote_port) {
    NiceCandidate *local = NULL, *remote = NULL;
    if (!nice_agent_get_selected_pair(agent, stream, 1, &local, &remote) || local == NULL || remote == NULL) return -1;
    *local_type = parley_nice_candidate_address(local, local_host, local_port);
    *remote_type = parley_nice_candidate_address(remote, remote_host, remote_port);
    return 0;
}

/// Every local candidate of component 1 as SDP lines separated by '\n' into `buffer`; the
/// number written, or -1 when they do not fit.
static inline int parley_nice_local_candidates_sdp(NiceAgent *agent, guint stream, char *buffer, size_t size) {
    GSList *list = nice_agent_get_local_candidates(agent, stream, 1);
    size_t used = 0;
    int count = 0;
    buffer[0] = 0;
    for (GSList *item = list; item != NULL; item = item->next) {
        gchar *sdp = nice_agent_generate_local_candidate_sdp(agent, (NiceCandidate *)item->data);
        if (sdp == NULL) continue;
        size_t length = strlen(sdp);
        if (used + length + 2 > size) { g_free(sdp); count = -1; break; }
        memcpy(buffer + used, sdp, length);
        used += length;
        buffer[used++] = '\n';
        buffer[used] = 0;
        g_free(sdp);
        count++;
    }
    g_slist_free_full(list, (GDestroyNotify)nice_candidate_free);
    return count;
}

static inline void parley_nice_closed(GObject *source, GAsyncResult *result, gpointer loop) {
    (void)source; (void)result;
    g_main_loop_quit((GMainLoop *)loop);
}

/// Closes the agent (releasing TURN allocations) and quits `loop` once done.
static inline void parley_nice_close(NiceAgent *agent, GMainLoop *loop) {
    nice_agent_close_async(agent, parley_nice_closed, loop);
}

/// Gives the agent its host addresses of one family (AF_INET or AF_INET6): every up
/// interface's address but loopback (and IPv6 link-local), or loopback when there is nothing
/// else (two nodes on one host without a network). Returns how many were added.
static inline int parley_nice_add_host_addresses(NiceAgent *agent, int family) {
    struct ifaddrs *list = NULL;
    int added = 0;
    for (int pass = 0; pass < 2 && added == 0; pass++) {
        if (getifaddrs(&list) != 0) return 0;
        for (struct ifaddrs *item = list; item != NULL; item = item->ifa_next) {
            if (item->ifa_addr == NULL || item->ifa_addr->sa_family != family || !(item->ifa_flags & IFF_UP)) continue;
            int loopback = (item->ifa_flags & IFF_LOOPBACK) != 0;
            if (loopback != (pass == 1)) continue;
            if (family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&((struct sockaddr_in6 *)item->ifa_addr)->sin6_addr)) continue;
            NiceAddress address;
            nice_address_init(&address);
            nice_address_set_from_sockaddr(&address, item->ifa_addr);
            if (nice_agent_add_local_address(agent, &address)) added++;
        }
        freeifaddrs(list);
        list = NULL;
    }
    return added;
}

static inline int parley_af_inet(void) { return AF_INET; }
static inline int parley_af_inet6(void) { return AF_INET6; }

static inline void parley_g_object_unref(NiceAgent *agent) { g_object_unref(G_OBJECT(agent)); }

#endif

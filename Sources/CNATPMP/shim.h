// Parley's view of libnatpmp (NAT-PMP, RFC 6886). Debian's libnatpmp-dev ships no .pc file,
// so the module map links the library by name.
#ifndef PARLEY_CNATPMP_SHIM_H
#define PARLEY_CNATPMP_SHIM_H

#include <arpa/inet.h>
#define ENABLE_STRNATPMPERR 1  /* declares strnatpmperr() */
#include <natpmp.h>

/// NATPMP_PROTOCOL_TCP, NATPMP_TRYAGAIN and NATPMP_RESPTYPE_* (macros).
static inline int parley_natpmp_protocol_tcp(void) { return NATPMP_PROTOCOL_TCP; }
static inline int parley_natpmp_try_again(void) { return NATPMP_TRYAGAIN; }
static inline int parley_natpmp_response_public_address(void) { return NATPMP_RESPTYPE_PUBLICADDRESS; }
static inline int parley_natpmp_response_tcp_mapping(void) { return NATPMP_RESPTYPE_TCPPORTMAPPING; }

/// The fields of a response's union, read without Swift having to name the anonymous members.
static inline in_addr_t parley_natpmp_public_address(const natpmpresp_t *response) {
    return response->pnu.publicaddress.addr.s_addr;
}
static inline uint16_t parley_natpmp_mapped_public_port(const natpmpresp_t *response) {
    return response->pnu.newportmapping.mappedpublicport;
}
static inline uint32_t parley_natpmp_mapping_lifetime(const natpmpresp_t *response) {
    return response->pnu.newportmapping.lifetime;
}

#endif

// Parley's view of libminiupnpc (UPnP-IGD client: SSDP discovery, WANIPConnection SOAP calls).
#ifndef PARLEY_CMINIUPNPC_SHIM_H
#define PARLEY_CMINIUPNPC_SHIM_H

#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>
#include <miniupnpc/upnperrors.h>

/// UPNPCOMMAND_SUCCESS (a macro).
static inline int parley_upnp_command_success(void) { return UPNPCOMMAND_SUCCESS; }

/// The service type string of the IGD's WANIPConnection (or WANPPPConnection) service:
/// `data->first.servicetype` (a char array inside a nested struct).
static inline const char *parley_upnp_service_type(const struct IGDdatas *data) { return data->first.servicetype; }

#endif

// Parley's view of ALSA (libasound): PCM capture and playback.
#ifndef PARLEY_CALSA_SHIM_H
#define PARLEY_CALSA_SHIM_H

#include <alsa/asoundlib.h>

/// Opens a PCM defined by a configuration text (e.g. a file-backed microphone) instead of
/// the global ALSA configuration. On success *config must be deleted after the PCM closes.
static inline int parley_snd_pcm_open_text(snd_pcm_t **pcm, snd_config_t **config, const char *name,
                                           const char *text, snd_pcm_stream_t stream) {
    snd_input_t *input = NULL;
    int status = snd_config_top(config);
    if (status < 0) return status;
    status = snd_input_buffer_open(&input, text, -1);
    if (status < 0) { snd_config_delete(*config); return status; }
    status = snd_config_load(*config, input);
    snd_input_close(input);
    if (status < 0) { snd_config_delete(*config); return status; }
    status = snd_pcm_open_lconf(pcm, name, stream, 0, *config);
    if (status < 0) snd_config_delete(*config);
    return status;
}

#endif

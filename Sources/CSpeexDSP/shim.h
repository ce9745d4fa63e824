// Parley's view of speexdsp: acoustic echo cancellation and the preprocessor (noise
// suppression), with the ctl requests (macros, void* arguments) as typed functions.
#ifndef PARLEY_CSPEEXDSP_SHIM_H
#define PARLEY_CSPEEXDSP_SHIM_H

#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

static inline int parley_speex_echo_set_rate(SpeexEchoState *echo, int rate) {
    return speex_echo_ctl(echo, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
}
static inline int parley_speex_preprocess_set_denoise(SpeexPreprocessState *state, int on) {
    return speex_preprocess_ctl(state, SPEEX_PREPROCESS_SET_DENOISE, &on);
}
static inline int parley_speex_preprocess_set_noise_suppress(SpeexPreprocessState *state, int decibels) {
    return speex_preprocess_ctl(state, SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, &decibels);
}
static inline int parley_speex_preprocess_set_echo_state(SpeexPreprocessState *state, SpeexEchoState *echo) {
    return speex_preprocess_ctl(state, SPEEX_PREPROCESS_SET_ECHO_STATE, echo);
}

#endif

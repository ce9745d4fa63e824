// Parley's view of libvpx (VP8): encoder and decoder API, plus static inline
// wrappers for what Swift cannot import (init macros, variadic controls, macros).
#ifndef PARLEY_CVPX_SHIM_H
#define PARLEY_CVPX_SHIM_H

#include <vpx/vpx_encoder.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vp8cx.h>
#include <vpx/vp8dx.h>

static inline vpx_codec_err_t parley_vpx_enc_init(vpx_codec_ctx_t *ctx, const vpx_codec_enc_cfg_t *cfg) {
    return vpx_codec_enc_init(ctx, vpx_codec_vp8_cx(), cfg, 0);
}
static inline vpx_codec_err_t parley_vpx_dec_init(vpx_codec_ctx_t *ctx, unsigned int threads) {
    vpx_codec_dec_cfg_t cfg = {0};
    cfg.threads = threads;
    return vpx_codec_dec_init(ctx, vpx_codec_vp8_dx(), &cfg, 0);
}
static inline vpx_codec_err_t parley_vpx_set_cpu_used(vpx_codec_ctx_t *ctx, int v) { return vpx_codec_control(ctx, VP8E_SET_CPUUSED, v); }
static inline vpx_codec_err_t parley_vpx_set_static_threshold(vpx_codec_ctx_t *ctx, unsigned int v) { return vpx_codec_control(ctx, VP8E_SET_STATIC_THRESHOLD, v); }
static inline vpx_codec_err_t parley_vpx_set_noise_sensitivity(vpx_codec_ctx_t *ctx, unsigned int v) { return vpx_codec_control(ctx, VP8E_SET_NOISE_SENSITIVITY, v); }
static inline vpx_codec_err_t parley_vpx_set_token_partitions(vpx_codec_ctx_t *ctx, int v) { return vpx_codec_control(ctx, VP8E_SET_TOKEN_PARTITIONS, (vp8e_token_partitions)v); }
static inline vpx_codec_err_t parley_vpx_set_max_intra_bitrate_pct(vpx_codec_ctx_t *ctx, unsigned int v) { return vpx_codec_control(ctx, VP8E_SET_MAX_INTRA_BITRATE_PCT, v); }

/// The quantizer of the last frame, 0…63 (the scale of rc_min/max_quantizer).
static inline vpx_codec_err_t parley_vpx_get_last_quantizer_64(vpx_codec_ctx_t *ctx, int *q) { return vpx_codec_control(ctx, VP8E_GET_LAST_QUANTIZER_64, q); }

static inline unsigned long parley_vpx_dl_realtime(void) { return VPX_DL_REALTIME; }
static inline vpx_enc_frame_flags_t parley_vpx_eflag_force_kf(void) { return VPX_EFLAG_FORCE_KF; }
static inline vpx_codec_frame_flags_t parley_vpx_frame_is_key(void) { return VPX_FRAME_IS_KEY; }
static inline vpx_codec_err_t parley_vpx_config_default(vpx_codec_enc_cfg_t *cfg) {
    return vpx_codec_enc_config_default(vpx_codec_vp8_cx(), cfg, 0);
}

#endif

// Parley's view of libv4l2 (V4L2 capture with format conversion in user space). The
// variadic v4l2_ioctl and the V4L2 structures are wrapped in small functions.
#ifndef PARLEY_CV4L2_SHIM_H
#define PARLEY_CV4L2_SHIM_H

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <libv4l2.h>
#include <linux/videodev2.h>

/// Opens a device read/write; returns the descriptor or -errno.
static inline int parley_v4l2_open(const char *path) {
    int fd = v4l2_open(path, O_RDWR);
    return fd >= 0 ? fd : -errno;
}

static inline void parley_v4l2_close(int fd) { v4l2_close(fd); }

/// 1 when the device can capture video (VIDIOC_QUERYCAP), 0 when not, -errno on failure.
static inline int parley_v4l2_can_capture(int fd) {
    struct v4l2_capability capability;
    memset(&capability, 0, sizeof capability);
    if (v4l2_ioctl(fd, VIDIOC_QUERYCAP, &capability) < 0) return -errno;
    unsigned int caps = (capability.capabilities & V4L2_CAP_DEVICE_CAPS) ? capability.device_caps : capability.capabilities;
    return (caps & V4L2_CAP_VIDEO_CAPTURE) ? 1 : 0;
}

/// Asks for I420 (YUV420 planar) at width x height; libv4l2 converts from what the camera
/// gives. Returns 0 and the size granted, or -errno.
static inline int parley_v4l2_set_i420(int fd, unsigned int width, unsigned int height,
                                       unsigned int *granted_width, unsigned int *granted_height,
                                       unsigned int *bytes_per_line, unsigned int *image_size) {
    struct v4l2_format format;
    memset(&format, 0, sizeof format);
    format.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    format.fmt.pix.width = width;
    format.fmt.pix.height = height;
    format.fmt.pix.pixelformat = V4L2_PIX_FMT_YUV420;
    format.fmt.pix.field = V4L2_FIELD_NONE;
    if (v4l2_ioctl(fd, VIDIOC_S_FMT, &format) < 0) return -errno;
    if (format.fmt.pix.pixelformat != V4L2_PIX_FMT_YUV420) return -EINVAL;
    *granted_width = format.fmt.pix.width;
    *granted_height = format.fmt.pix.height;
    *bytes_per_line = format.fmt.pix.bytesperline;
    *image_size = format.fmt.pix.sizeimage;
    return 0;
}

/// Asks for a frame rate (VIDIOC_S_PARM); cameras may refuse or round.
static inline int parley_v4l2_set_frame_rate(int fd, unsigned int fps) {
    struct v4l2_streamparm parameters;
    memset(&parameters, 0, sizeof parameters);
    parameters.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    parameters.parm.capture.timeperframe.numerator = 1;
    parameters.parm.capture.timeperframe.denominator = fps;
    return v4l2_ioctl(fd, VIDIOC_S_PARM, &parameters) < 0 ? -errno : 0;
}

/// Reads one frame (libv4l2 emulates read() with mmap streaming); bytes or -errno.
static inline long parley_v4l2_read(int fd, void *buffer, unsigned long size) {
    long got = (long)v4l2_read(fd, buffer, size);
    return got >= 0 ? got : -errno;
}

static inline int parley_errno_noent(void) { return ENOENT; }
static inline int parley_errno_interrupted(void) { return EINTR; }
static inline int parley_errno_again(void) { return EAGAIN; }

#endif

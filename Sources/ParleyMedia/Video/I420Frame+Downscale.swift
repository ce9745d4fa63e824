extension I420Frame {
    /// The frame halved (2x2 averages) until it is at most `maxWidth` wide, sizes kept even
    /// (a column or row dropped where halving would make them odd); the frame itself when it
    /// is narrow enough already.
    public func downscaled(toMaxWidth maxWidth: Int) -> I420Frame {
        var frame = self
        while frame.width > max(16, maxWidth), frame.width >= 32, frame.height >= 32 {
            frame = frame.halved()
        }
        return frame
    }

    /// Half the width and height, each output pixel the average of four.
    func halved() -> I420Frame {
        let newWidth = (width / 2) & ~1, newHeight = (height / 2) & ~1
        var planes = [UInt8](repeating: 0, count: I420Frame.byteCount(width: newWidth, height: newHeight))
        self.planes.withUnsafeBufferPointer { source in
            planes.withUnsafeMutableBufferPointer { target in
                func halve(from sourceOffset: Int, sourceWidth: Int, to targetOffset: Int, width: Int, height: Int) {
                    for row in 0 ..< height {
                        let top = sourceOffset + 2 * row * sourceWidth, bottom = top + sourceWidth
                        let out = targetOffset + row * width
                        for column in 0 ..< width {
                            let sum = Int(source[top + 2 * column]) + Int(source[top + 2 * column + 1])
                                + Int(source[bottom + 2 * column]) + Int(source[bottom + 2 * column + 1])
                            target[out + column] = UInt8(truncatingIfNeeded: (sum + 2) >> 2)
                        }
                    }
                }
                halve(from: 0, sourceWidth: width, to: 0, width: newWidth, height: newHeight)
                let chromaWidth = newWidth / 2, chromaHeight = newHeight / 2
                halve(from: lumaSize, sourceWidth: self.chromaWidth, to: newWidth * newHeight, width: chromaWidth, height: chromaHeight)
                halve(from: lumaSize + chromaSize, sourceWidth: self.chromaWidth, to: newWidth * newHeight + chromaWidth * chromaHeight,
                      width: chromaWidth, height: chromaHeight)
            }
        }
        return I420Frame(width: newWidth, height: newHeight, planes: planes) ?? I420Frame(width: newWidth, height: newHeight)
    }
}

extension I420Frame {
    /// The frame at `width` x `height` (each even, within `dimensionRange`), each output
    /// pixel the one nearest to it in this frame: a picture a sender made smaller on a
    /// narrow path, written into a file whose size was fixed by its first frame. The frame
    /// itself when it has that size already (or the size is not one a frame can have).
    public func resized(toWidth newWidth: Int, height newHeight: Int) -> I420Frame {
        guard newWidth != width || newHeight != height, newWidth % 2 == 0, newHeight % 2 == 0,
              Self.dimensionRange.contains(newWidth), Self.dimensionRange.contains(newHeight) else { return self }
        var result = I420Frame(width: newWidth, height: newHeight)
        let (targetU, targetV, targetChromaWidth, targetChromaHeight) = (result.uOffset, result.vOffset, result.chromaWidth, result.chromaHeight)
        planes.withUnsafeBufferPointer { source in
            result.planes.withUnsafeMutableBufferPointer { target in
                func resize(from sourceOffset: Int, _ sourceWidth: Int, _ sourceHeight: Int, to targetOffset: Int, _ targetWidth: Int, _ targetHeight: Int) {
                    let columns = (0 ..< targetWidth).map { $0 * sourceWidth / targetWidth }
                    for row in 0 ..< targetHeight {
                        let sourceRow = sourceOffset + row * sourceHeight / targetHeight * sourceWidth
                        let targetRow = targetOffset + row * targetWidth
                        for column in 0 ..< targetWidth { target[targetRow + column] = source[sourceRow + columns[column]] }
                    }
                }
                resize(from: 0, width, height, to: 0, newWidth, newHeight)
                resize(from: uOffset, chromaWidth, chromaHeight, to: targetU, targetChromaWidth, targetChromaHeight)
                resize(from: vOffset, chromaWidth, chromaHeight, to: targetV, targetChromaWidth, targetChromaHeight)
            }
        }
        return result
    }
}

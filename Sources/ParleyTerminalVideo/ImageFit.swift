/// Where a picture goes inside a grid of pixels, keeping its aspect ratio: as large as fits,
/// centred, the rest left black (letterbox or pillarbox).
public struct ImageFit: Equatable, Sendable {
    /// The picture's rectangle in the grid, in grid pixels.
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// Fits a `sourceWidth`x`sourceHeight` picture (square pixels) into a
    /// `gridWidth`x`gridHeight` grid whose pixels are `pixelAspect` times as tall as wide
    /// (1 for half blocks, where a cell about twice as tall as wide holds 1x2 pixels; 2 for
    /// quadrants: 2x2 pixels per cell). Returns an empty fit for empty input.
    public static func fit(sourceWidth: Int, sourceHeight: Int, gridWidth: Int, gridHeight: Int, pixelAspect: Double = 1) -> ImageFit {
        guard sourceWidth > 0, sourceHeight > 0, gridWidth > 0, gridHeight > 0, pixelAspect > 0, pixelAspect.isFinite else {
            return ImageFit(x: 0, y: 0, width: 0, height: 0)
        }
        // Display units: a grid pixel is 1 wide and pixelAspect tall.
        let sourceAspect = Double(sourceWidth) / Double(sourceHeight)
        let gridDisplayWidth = Double(gridWidth)
        let gridDisplayHeight = Double(gridHeight) * pixelAspect
        var width: Int
        var height: Int
        if gridDisplayWidth / gridDisplayHeight > sourceAspect {
            // The grid is wider: full height, pillarbox.
            height = gridHeight
            width = Int((gridDisplayHeight * sourceAspect).rounded())
        } else {
            width = gridWidth
            height = Int((gridDisplayWidth / sourceAspect / pixelAspect).rounded())
        }
        width = min(max(width, 1), gridWidth)
        height = min(max(height, 1), gridHeight)
        return ImageFit(x: (gridWidth - width) / 2, y: (gridHeight - height) / 2, width: width, height: height)
    }
}

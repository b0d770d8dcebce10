import Foundation

/// An sRGB colour with alpha, components in 0…1.
public struct Color: Sendable, Equatable {
    public var red: Double
    public var green: Double
    public var blue: Double
    public var alpha: Double

    public init(red: Double, green: Double, blue: Double, alpha: Double = 1) {
        self.red = red; self.green = green; self.blue = blue; self.alpha = alpha
    }

    /// A colour from a 24-bit hex value, e.g. `Color(hex: 0x0072B2)`.
    public init(hex: UInt32, alpha: Double = 1) {
        self.init(red: Double((hex >> 16) & 0xFF) / 255, green: Double((hex >> 8) & 0xFF) / 255,
                  blue: Double(hex & 0xFF) / 255, alpha: alpha)
    }

    /// The same colour with another alpha.
    public func withAlpha(_ a: Double) -> Color { Color(red: red, green: green, blue: blue, alpha: a) }

    /// Linear blend: `self·(1−t) + other·t` per component.
    public func mixed(with other: Color, _ t: Double) -> Color {
        Color(red: red + (other.red - red) * t, green: green + (other.green - green) * t,
              blue: blue + (other.blue - blue) * t, alpha: alpha + (other.alpha - alpha) * t)
    }

    /// Relative luminance (WCAG): 0.2126 R + 0.7152 G + 0.0722 B on linearised sRGB.
    public var luminance: Double {
        func lin(_ c: Double) -> Double { c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4) }
        return 0.2126 * lin(red) + 0.7152 * lin(green) + 0.0722 * lin(blue)
    }

    /// 8-bit components, rounded.
    public var bytes: (UInt8, UInt8, UInt8) {
        func b(_ c: Double) -> UInt8 { UInt8((min(max(c, 0), 1) * 255).rounded()) }
        return (b(red), b(green), b(blue))
    }
}

/// The colour-blind-safe Okabe–Ito palette (Okabe & Ito 2008), ordered for series:
/// blue, orange, bluish green, vermillion, reddish purple, sky blue, yellow, black.
public enum Palette {
    public static let blue = Color(hex: 0x0072B2)
    public static let orange = Color(hex: 0xE69F00)
    public static let bluishGreen = Color(hex: 0x009E73)
    public static let vermillion = Color(hex: 0xD55E00)
    public static let reddishPurple = Color(hex: 0xCC79A7)
    public static let skyBlue = Color(hex: 0x56B4E9)
    public static let yellow = Color(hex: 0xF0E442)
    public static let black = Color(hex: 0x000000)

    public static let series: [Color] = [blue, orange, bluishGreen, vermillion, reddishPurple, skyBlue, yellow, black]

    /// The colour of series `i` (cycling after eight).
    public static func color(_ i: Int) -> Color { series[((i % series.count) + series.count) % series.count] }
}

/// Continuous colour maps built by piecewise-linear interpolation between control points.
public enum ColorMap {
    /// Viridis (matplotlib's perceptually uniform sequential map) at nine evenly spaced stops.
    static let viridisStops: [UInt32] = [0x440154, 0x472C7A, 0x3B518B, 0x2C718E, 0x21908D,
                                         0x27AD81, 0x5CC863, 0xAADC32, 0xFDE725]
    /// A blue–white–red diverging map (ColorBrewer RdBu, reversed) at nine stops.
    static let divergingStops: [UInt32] = [0x2166AC, 0x4393C3, 0x92C5DE, 0xD1E5F0, 0xF7F7F7,
                                           0xFDDBC7, 0xF4A582, 0xD6604D, 0xB2182B]

    /// Viridis at `t` ∈ [0, 1] (clamped): dark purple at 0, yellow at 1.
    public static func viridis(_ t: Double) -> Color { interpolate(viridisStops, t) }

    /// Diverging map at `t` ∈ [0, 1] (clamped): blue at 0, near-white at 0.5, red at 1.
    public static func diverging(_ t: Double) -> Color { interpolate(divergingStops, t) }

    static func interpolate(_ stops: [UInt32], _ t: Double) -> Color {
        let x = (t.isNaN ? 0 : min(max(t, 0), 1)) * Double(stops.count - 1)
        let i = min(Int(x), stops.count - 2)
        return Color(hex: stops[i]).mixed(with: Color(hex: stops[i + 1]), x - Double(i))
    }
}

/// The one style every figure shares: fonts, greys, line widths and spacing (points).
public enum Style {
    public static let background = Color(hex: 0xFFFFFF)
    /// Titles, axis labels, box text.
    public static let text = Color(hex: 0x222222)
    /// Tick labels, captions, value labels.
    public static let secondaryText = Color(hex: 0x4D4D4D)
    /// Axis lines and ticks.
    public static let axis = Color(hex: 0x595959)
    /// Grid lines behind the data.
    public static let grid = Color(hex: 0xE5E5E5)

    public static let titleFont = Font(size: 14, bold: true)
    public static let labelFont = Font(size: 11.5)
    public static let tickFont = Font(size: 10.5)
    public static let legendFont = Font(size: 10.5)
    public static let valueFont = Font(size: 9.5)
    public static let captionFont = Font(size: 10)

    /// Outer margin around every figure.
    public static let margin = 14.0
    /// Length of axis ticks (drawn outwards).
    public static let tickLength = 4.0
    /// Gap between a tick and its label, or between stacked text blocks.
    public static let gap = 5.0
    public static let axisWidth = 1.0
    public static let gridWidth = 0.8
    public static let lineWidth = 2.0
}

/// A failure to draw or write a figure: a cairo status (named by `cairo_status_to_string`)
/// or a file that could not be written (named by its path).
public struct PlotError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, naming the file or the cairo status.
    public let message: String
    /// The file involved, when the failure concerns one.
    public let path: String?

    public init(_ message: String, path: String? = nil) {
        self.message = message
        self.path = path
    }

    public var description: String { message }
}

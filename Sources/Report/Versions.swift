import Foundation
import NN
import Plots
import StudyData

/// Versions of the tool and the libraries it ran with, for the reproducibility appendix.
enum Versions {
    static let tool = "0.1.0"

    static func all() -> [(String, String)] {
        var v: [(String, String)] = [("report", tool)]
        #if swift(>=6.3)
        v.append(("Swift", "6.3 or newer"))
        #elseif swift(>=6.0)
        v.append(("Swift", "6.x"))
        #endif
        v.append(("OpenBLAS", blasVersion()))
        v.append(("libpng", libpngVersion()))
        v.append(("Cairo", cairoVersion()))
        v.append(("OPENBLAS_CORETYPE", ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "(not set)"))
        v.append(("OS", ProcessInfo.processInfo.operatingSystemVersionString))
        v.append(("cores", "\(ProcessInfo.processInfo.activeProcessorCount)"))
        return v
    }

    /// The commit of the checkout the tool runs from, if it is one (`git rev-parse HEAD`).
    static func gitCommit() -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "rev-parse", "--short=12", "HEAD"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        let s = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let dirty = Process()
        dirty.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        dirty.arguments = ["git", "diff", "--quiet", "HEAD", "--", "Sources", "report-templates", "Package.swift"]
        dirty.standardOutput = FileHandle.nullDevice
        dirty.standardError = FileHandle.nullDevice
        if (try? dirty.run()) != nil { dirty.waitUntilExit(); if dirty.terminationStatus == 1 { return s + " (with uncommitted changes)" } }
        return s
    }
}

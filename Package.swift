// swift-tools-version:6.1
// Parley: an encrypted peer-to-peer terminal messenger.

import PackageDescription

/// Strict Swift 6 everywhere.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "parley",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "parley", targets: ["parley"]),
        .library(name: "ParleyNode", targets: ["ParleyNode"]),
        .library(name: "ParleyMedia", targets: ["ParleyMedia"]),
        .library(name: "ParleyTerminalVideo", targets: ["ParleyTerminalVideo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // MARK: Pure layers
        .target(
            name: "ParleyCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ParleyWire",
            swiftSettings: strictSettings
        ),

        // MARK: Storage
        .target(
            name: "ParleyStore",
            dependencies: [
                "ParleyCore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings,
            plugins: ["MigrationsPlugin"]
        ),
        .executableTarget(
            name: "EmbedMigrations",
            path: "Sources/Tools/EmbedMigrations"
        ),
        .plugin(
            name: "MigrationsPlugin",
            capability: .buildTool(),
            dependencies: ["EmbedMigrations"],
            path: "Sources/Plugins/MigrationsPlugin"
        ),

        // MARK: Networking
        .target(
            name: "ParleyNet",
            dependencies: [
                "ParleyCore",
                "ParleyWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: Media engine (codecs, RTP/RTCP, sources and sinks)
        .systemLibrary(
            name: "COpus",
            pkgConfig: "opus",
            providers: [.apt(["libopus-dev"])]
        ),
        .systemLibrary(
            name: "CVPX",
            pkgConfig: "vpx",
            providers: [.apt(["libvpx-dev"])]
        ),
        .systemLibrary(
            name: "CSRTP",
            pkgConfig: "libsrtp2",
            providers: [.apt(["libsrtp2-dev"])]
        ),
        .systemLibrary(
            name: "CALSA",
            pkgConfig: "alsa",
            providers: [.apt(["libasound2-dev"])]
        ),
        .systemLibrary(
            name: "CV4L2",
            pkgConfig: "libv4l2",
            providers: [.apt(["libv4l-dev"])]
        ),
        .systemLibrary(
            name: "CSpeexDSP",
            pkgConfig: "speexdsp",
            providers: [.apt(["libspeexdsp-dev"])]
        ),
        .target(
            name: "ParleyMedia",
            dependencies: ["COpus", "CVPX", "CSRTP", "CALSA", "CV4L2", "CSpeexDSP"],
            swiftSettings: strictSettings
        ),

        .target(
            name: "ParleyStream",
            dependencies: [
                "ParleyMedia",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: Video in the terminal (half blocks, 256 colours, sixel, kitty graphics)
        .target(
            name: "ParleyTerminalVideo",
            dependencies: ["ParleyMedia"],
            swiftSettings: strictSettings
        ),

        // MARK: Port mapping on the router (UPnP-IGD, NAT-PMP)
        .systemLibrary(
            name: "CMiniUPnPc",
            pkgConfig: "miniupnpc",
            providers: [.apt(["libminiupnpc-dev"])]
        ),
        // Debian's libnatpmp-dev has no .pc file: the module map links natpmp.
        .systemLibrary(
            name: "CNATPMP",
            providers: [.apt(["libnatpmp-dev"])]
        ),

        // MARK: ICE for call media (RFC 5245)
        .systemLibrary(
            name: "CNice",
            pkgConfig: "nice",
            providers: [.apt(["libnice-dev"])]
        ),

        // MARK: The running node
        .target(
            name: "ParleyNode",
            dependencies: [
                "ParleyCore",
                "ParleyWire",
                "ParleyStore",
                "ParleyNet",
                "ParleyMedia",
                "ParleyStream",
                "CMiniUPnPc",
                "CNATPMP",
                "CNice",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: Terminal UI
        // ncursesw's pkg-config flags (-D_XOPEN_SOURCE=600…) are refused by SwiftPM with a
        // warning; the shim header defines what it needs and the module map links ncursesw.
        .systemLibrary(
            name: "CNCursesW",
            providers: [.apt(["libncurses-dev"])]
        ),
        .target(
            name: "ParleyTUI",
            dependencies: [
                "CNCursesW",
                "ParleyNode",
                "ParleyTerminalVideo",
                "ParleyCore",
                "ParleyStore",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: Command line
        .executableTarget(
            name: "parley",
            dependencies: [
                "ParleyNode",
                "ParleyTUI",
                "ParleyStream",
                "ParleyMedia",
                "ParleyTerminalVideo",
                "ParleyNet",
                "ParleyWire",
                "ParleyCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: Tests
        .testTarget(name: "ParleyCoreTests", dependencies: ["ParleyCore"]),
        .testTarget(name: "ParleyWireTests", dependencies: ["ParleyWire"]),
        .testTarget(name: "ParleyStoreTests", dependencies: ["ParleyStore", "ParleyCore"]),
        .testTarget(name: "ParleyNodeTests", dependencies: ["ParleyNode", "ParleyWire", "ParleyCore"]),
        .testTarget(name: "ParleyTUITests", dependencies: ["ParleyTUI", "ParleyCore", "ParleyNode", "CNCursesW"]),
        .testTarget(name: "ParleyMediaTests", dependencies: ["ParleyMedia"]),
        .testTarget(name: "ParleyTerminalVideoTests", dependencies: ["ParleyTerminalVideo", "ParleyMedia"]),
        .testTarget(name: "ParleyCallMediaTests", dependencies: ["ParleyMedia", "ParleyStream"]),
        .testTarget(name: "ParleyEndToEndTests", dependencies: ["parley", "ParleyCore", "ParleyMedia"]),
    ]
)

// MARK: Node-level fuzzer (only with PARLEY_FUZZ=1: `make fuzz-node`)
// libFuzzer brings its own main, so the target exists only in fuzzing builds;
// the project's own modules get coverage and address-sanitizer instrumentation.
if Context.environment["PARLEY_FUZZ"] == "1" {
    let instrumented: Set<String> = ["ParleyCore", "ParleyWire", "ParleyStore", "ParleyNet", "ParleyNode"]
    for target in package.targets where instrumented.contains(target.name) {
        target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-sanitize=fuzzer,address"])]
    }
    package.targets.append(.executableTarget(
        name: "parley-node-fuzz",
        dependencies: ["ParleyNode", "ParleyWire"],
        path: "Tests/Fuzz/NodeFuzz",
        swiftSettings: [.unsafeFlags(["-sanitize=fuzzer,address", "-parse-as-library"])],
        linkerSettings: [.unsafeFlags(["-sanitize=fuzzer,address"])]
    ))
    package.products.append(.executable(name: "parley-node-fuzz", targets: ["parley-node-fuzz"]))
}

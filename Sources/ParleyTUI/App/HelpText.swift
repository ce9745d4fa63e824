/// The text of the help panel, built from the command catalogue.
enum HelpText {
    static var lines: [StyledLine] {
        var lines: [StyledLine] = [StyledLine([StyledSpan("Commands", .accent)])]
        let usageWidth = CommandCatalog.commands.map { $0.usage.displayWidth }.max() ?? 10
        for spec in CommandCatalog.commands {
            var spans = [StyledSpan("  " + spec.usage.padded(toColumns: usageWidth + 2), .prompt), StyledSpan(spec.summary)]
            if let key = spec.key { spans.append(StyledSpan("  (\(key))", .dim)) }
            lines.append(StyledLine(spans))
        }
        lines.append(StyledLine())
        lines.append(StyledLine([StyledSpan("Keys", .accent)]))
        for binding in CommandCatalog.keys {
            lines.append(StyledLine([StyledSpan("  " + binding.keys, .prompt), StyledSpan("  " + binding.action)]))
        }
        lines.append(StyledLine())
        lines.append(StyledLine([StyledSpan("Marks after your messages", .accent)]))
        lines.append(StyledLine([StyledSpan("  " + DeliveryMark.legend)]))
        lines.append(StyledLine())
        lines.append(StyledLine([StyledSpan("A line starting with // sends a literal /.", .dim)]))
        return lines
    }
}

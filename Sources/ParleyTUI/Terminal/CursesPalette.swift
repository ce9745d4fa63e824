import CNCursesW

/// Turns theme roles into curses colour pairs and attributes, once colours
/// are started. With `ColorDepth.none` only attributes are used.
struct CursesPalette {
    private var attributes: [TextRole: attr_t] = [:]
    private var pairs: [TextRole: Int32] = [:]

    init(theme: Theme, depth: ColorDepth) {
        for (index, role) in TextRole.allCases.enumerated() {
            let style = theme.style(for: role)
            var attribute = parley_attr_normal()
            if style.bold { attribute |= parley_attr_bold() }
            if style.dim { attribute |= parley_attr_dim() }
            if style.reverse { attribute |= parley_attr_reverse() }
            if style.underline { attribute |= parley_attr_underline() }
            if depth == .none {
                // Without colours, bars and selections stand out by reverse video.
                if style.background != nil { attribute |= parley_attr_reverse() }
                attributes[role] = attribute
                pairs[role] = 0
                continue
            }
            let pair = Int32(index + 1)
            let foreground = style.foreground.map { Int32($0.terminalColor(for: depth)) } ?? -1
            let background = style.background.map { Int32($0.terminalColor(for: depth)) } ?? -1
            init_extended_pair(pair, foreground, background)
            attributes[role] = attribute
            pairs[role] = pair
        }
    }

    func apply(_ role: TextRole) {
        parley_set_attributes(attributes[role] ?? parley_attr_normal(), pairs[role] ?? 0)
    }
}

# Parley — two commands do everything on a fresh Debian machine:
#   make run    install what is missing, build, start Parley (ARGS="…" passes arguments)
#   make test   install what is missing, build, run every test

SWIFT       ?= swift
ARGS        ?=
FUZZ_TIME   ?= 60
BIN         := .build/debug/parley
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages the build and the tests need.
# Port mapping: libminiupnpc-dev and libnatpmp-dev to build; miniupnpd-nftables (the bare daemon, no
# service), nftables, coturn (the STUN server miniupnpd needs) and natpmpc for its namespace test.
APT_PACKAGES := libsqlite3-dev pkg-config openssl socat tmux libncurses-dev libopus-dev libvpx-dev libsrtp2-dev libasound2-dev libv4l-dev libspeexdsp-dev ffmpeg pulseaudio pulseaudio-utils libasound2-plugins iproute2 iptables \
                xvfb xterm kitty imagemagick libgl1-mesa-dri x11-utils fonts-dejavu-core \
                libminiupnpc-dev libnatpmp-dev libnice-dev miniupnpd-nftables nftables coturn natpmpc \
                janus curl

.PHONY: deps build run test soak fuzz fuzz-wire fuzz-rtp fuzz-vp8 fuzz-mediafile fuzz-stream fuzz-node bench install clean

## deps: install missing Debian packages (idempotent, asks nothing)
deps:
	@missing=""; \
	for package in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  made_policy=0; \
	  if [ ! -e /usr/sbin/policy-rc.d ]; then \
	    printf '#!/bin/sh\nexit 101\n' | $(SUDO) tee /usr/sbin/policy-rc.d >/dev/null && $(SUDO) chmod +x /usr/sbin/policy-rc.d && made_policy=1; \
	  fi; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	  status=$$?; \
	  if [ $$made_policy = 1 ]; then $(SUDO) rm -f /usr/sbin/policy-rc.d; fi; \
	  [ $$status = 0 ] || exit $$status; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "Swift 6.1 or later is needed: https://www.swift.org/install/linux/" >&2; exit 1; }

## build: compile the debug build
build: deps
	$(SWIFT) build --product parley

## run: build and start Parley
run: build
	$(BIN) $(ARGS)

## test: every unit and end-to-end test, in three phases:
## 1. the unit tests, in parallel;
## 2. the end-to-end tests, in parallel, in a process of their own: their bodies wait on processes and sockets
##    synchronously, which holds Swift's cooperative threads (2 here) for seconds at a time, and unit tests
##    sharing a process with them were starved past their time limits;
## 3. the real-time media suites one at a time, so the load of other suites (floods, many processes, other calls)
##    cannot starve their audio and video clocks (nor the real terminals under Xvfb, which must answer parley's
##    capability query within its 400 ms).
REALTIME_SUITES := MediaStreamTests|RealTimeAudioTests|FFmpegInteropTests|CallMediaTests|CallMediaSessionTests|CallQualityTests|RealTerminalPixelTests|NATTraversalTests|AddressChangeTests|BottleneckCallTests|CallSoakTests|GroupCallTests|BroadcastTests|BroadcastMediaTests
END_TO_END      := ParleyEndToEndTests
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip '$(END_TO_END)' --skip '$(REALTIME_SUITES)'
	$(SWIFT) test --skip-build --filter '$(END_TO_END)' --skip '$(REALTIME_SUITES)'
	$(SWIFT) test --skip-build --no-parallel --filter '$(REALTIME_SUITES)'

## soak: the long-call test for its full 10 minutes (make test runs it for 2): a two-way video call
##       at 5 % loss, memory and buffer delays sampled every 10 s (PARLEY_SOAK_SECONDS to change it)
PARLEY_SOAK_SECONDS ?= 600
soak: deps
	$(SWIFT) build --build-tests
	PARLEY_SOAK_SECONDS=$(PARLEY_SOAK_SECONDS) $(SWIFT) test --skip-build --filter CallSoakTests

## fuzz: run every fuzzer (wire frames, RTP/RTCP, VP8 payload, WAV/Y4M files, SDP + RTP reception with the
## decoders, a contact's frames through the node) for FUZZ_TIME seconds each (default 60)
fuzz: fuzz-wire fuzz-rtp fuzz-vp8 fuzz-mediafile fuzz-stream fuzz-node

# $(call run-fuzzer,NAME,SOURCES[,OPTIONS]): build .build/fuzz/NAME, run it on a scratch copy of Tests/Fuzz/corpus/NAME
define run-fuzzer
	mkdir -p .build/fuzz/corpus-$(1)
	swiftc -O -sanitize=fuzzer,address -parse-as-library $(2) -o .build/fuzz/$(1)
	cp Tests/Fuzz/corpus/$(1)/* .build/fuzz/corpus-$(1)/
	cd .build/fuzz && SWIFT_BACKTRACE=enable=no ./$(1) -max_total_time=$(FUZZ_TIME) $(3) corpus-$(1)
endef

fuzz-wire:
	$(call run-fuzzer,wire,Sources/ParleyWire/*.swift Sources/ParleyWire/Calls/*.swift Tests/Fuzz/WireFuzz.swift)

fuzz-rtp:
	$(call run-fuzzer,rtp,Sources/ParleyMedia/RTP/*.swift Tests/Fuzz/RTPFuzz.swift)

fuzz-vp8:
	$(call run-fuzzer,vp8,Sources/ParleyMedia/RTP/*.swift Sources/ParleyMedia/Payload/*.swift Tests/Fuzz/VP8PayloadFuzz.swift)

fuzz-mediafile:
	$(call run-fuzzer,mediafile,Sources/ParleyMedia/Files/*.swift Sources/ParleyMedia/Video/I420Frame.swift Sources/ParleyMedia/Clock/*.swift Tests/Fuzz/MediaFileFuzz.swift,-use_value_profile=1)

# All of ParleyMedia with the system libraries it wraps: the module maps of Sources/C*,
# their headers and libraries from pkg-config (libvpx, libopus and the rest are not
# instrumented; the Swift around them is).
MEDIA_PKGS   := opus vpx libsrtp2 alsa libv4l2 speexdsp
MEDIA_FLAGS   = $(foreach module,COpus CVPX CSRTP CALSA CV4L2 CSpeexDSP,-I Sources/$(module)) \
                $(addprefix -Xcc ,$(shell pkg-config --cflags $(MEDIA_PKGS))) $(shell pkg-config --libs $(MEDIA_PKGS))

fuzz-stream:
	$(call run-fuzzer,stream,$(MEDIA_FLAGS) Sources/ParleyMedia/*/*.swift Tests/Fuzz/StreamFuzz.swift,-use_value_profile=1 -max_len=8192)

## fuzz-node: a contact's frames through the node's session code against a real store (SwiftPM build with
## PARLEY_FUZZ=1 in .build-fuzz: our modules instrumented, libFuzzer linked; the first build takes a while)
fuzz-node:
	PARLEY_FUZZ=1 $(SWIFT) build -c release --product parley-node-fuzz --scratch-path .build-fuzz
	mkdir -p .build-fuzz/corpus-node
	cp Tests/Fuzz/corpus/node/* .build-fuzz/corpus-node/
	cd .build-fuzz && SWIFT_BACKTRACE=enable=no ./release/parley-node-fuzz -max_total_time=$(FUZZ_TIME) \
	  -max_len=4096 -use_value_profile=1 -detect_leaks=0 corpus-node

## bench: release build, then the benchmarks in bench/ (they print their figures and ratios)
bench: deps
	$(SWIFT) build -c release --product parley
	python3 bench/chat.py
	python3 bench/files.py
	python3 bench/media.py
	python3 bench/loss.py
	python3 bench/bottleneck.py
	python3 bench/history.py
	python3 bench/renderer.py

## install: release build into PREFIX (default /usr/local)
PREFIX ?= /usr/local
install: deps
	$(SWIFT) build -c release --product parley
	install -D -m 0755 .build/release/parley $(DESTDIR)$(PREFIX)/bin/parley
	install -D -m 0644 share/man/parley.1 $(DESTDIR)$(PREFIX)/share/man/man1/parley.1
	install -D -m 0644 share/parley.conf $(DESTDIR)$(PREFIX)/share/doc/parley/parley.conf
	install -D -m 0644 share/completions/parley.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/parley

clean:
	rm -rf .build

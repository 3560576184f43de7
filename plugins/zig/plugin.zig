//! The example plugin in Zig: newline-delimited JSON-RPC 2.0 on stdin/stdout,
//! one log line on stderr, built for wasm32-wasi with Zig 0.17 (see build.sh).
//! Lines are parsed into `std.json.Value` with numbers kept as their text, so
//! `echo` answers exactly the numbers it was given.
const std = @import("std");
const Io = std.Io;
const json = std.json;
const Value = json.Value;

const max_limit = 10_000_000;

const RpcError = struct { code: i64, message: []const u8 };

/// What a method answers: a JSON value, or an error object.
const Answer = union(enum) {
    result: Value,
    err: RpcError,

    fn invalidParams(message: []const u8) Answer {
        return .{ .err = .{ .code = -32602, .message = message } };
    }
};

const Plugin = struct {
    io: Io,
    arena: std.mem.Allocator,
    in: *Io.Reader,
    out: *Io.Writer,
    line: Io.Writer.Allocating,
    next_host_id: i64 = 1,

    /// The next line without "\n" or "\r\n", or null at the end of input.
    /// Streaming readers only: a positional reader would try pread on a pipe.
    fn readLine(self: *Plugin) !?[]const u8 {
        self.line.clearRetainingCapacity();
        const n = try self.in.streamDelimiterEnding(&self.line.writer, '\n');
        if (self.in.bufferedLen() > 0) {
            self.in.toss(1); // the "\n"
        } else if (n == 0) {
            return null;
        }
        return std.mem.trimEnd(u8, self.line.written(), "\r");
    }

    fn parse(self: *Plugin, text: []const u8) ?Value {
        return json.parseFromSliceLeaky(Value, self.arena, text, .{
            .parse_numbers = false, // keep numbers as their text (number_string)
            .allocate = .alloc_always, // the line buffer is reused
        }) catch null;
    }

    /// Writes one message as one line and flushes it.
    fn send(self: *Plugin, id: Value, answer: Answer) !void {
        try self.out.writeAll("{\"jsonrpc\":\"2.0\",\"id\":");
        try json.Stringify.value(id, .{}, self.out);
        switch (answer) {
            .result => |v| {
                try self.out.writeAll(",\"result\":");
                try json.Stringify.value(v, .{}, self.out);
            },
            .err => |e| {
                try self.out.writeAll(",\"error\":");
                try json.Stringify.value(e, .{}, self.out);
            },
        }
        try self.out.writeAll("}\n");
        try self.out.flush();
    }

    /// Calls host.echo with our own id and answers with the host's answer.
    fn echoHost(self: *Plugin, params: ?Value) !Answer {
        const p = params orelse return Answer.invalidParams("echo_host takes [x]");
        if (p != .array or p.array.items.len != 1) return Answer.invalidParams("echo_host takes [x]");
        const own = self.next_host_id;
        self.next_host_id += 1;
        try self.out.print("{{\"jsonrpc\":\"2.0\",\"id\":{d},\"method\":\"host.echo\",\"params\":", .{own});
        try json.Stringify.value(p, .{}, self.out);
        try self.out.writeAll("}\n");
        try self.out.flush(); // before blocking on stdin
        while (try self.readLine()) |text| {
            const msg = self.parse(text) orelse continue;
            if (msg != .object) continue;
            const id = integer(msg.object.get("id")) orelse continue;
            if (id != own) continue; // not the answer to our request
            if (msg.object.get("error")) |e| {
                const code = if (e == .object) integer(e.object.get("code")) else null;
                const message = if (e == .object) e.object.get("message") else null;
                return .{ .err = .{
                    .code = code orelse -32603,
                    .message = if (message != null and message.? == .string) message.?.string else "host error",
                } };
            }
            return .{ .result = msg.object.get("result") orelse .null };
        }
        return .{ .err = .{ .code = -32603, .message = "the host did not answer host.echo" } };
    }

    fn handle(self: *Plugin, method: []const u8, params: ?Value) !Answer {
        if (std.mem.eql(u8, method, "ping")) {
            try Io.File.stderr().writeStreamingAll(self.io, "INFO zig_plugin: ping\n");
            return .{ .result = .{ .string = "pong" } };
        } else if (std.mem.eql(u8, method, "echo")) {
            return .{ .result = params orelse .null };
        } else if (std.mem.eql(u8, method, "add")) {
            return add(params);
        } else if (std.mem.eql(u8, method, "sieve")) {
            return self.sieve(params);
        } else if (std.mem.eql(u8, method, "echo_host")) {
            return self.echoHost(params);
        }
        const message = try std.fmt.allocPrint(self.arena, "method not found: {s}", .{method});
        return .{ .err = .{ .code = -32601, .message = message } };
    }

    fn sieve(self: *Plugin, params: ?Value) !Answer {
        const invalid = Answer.invalidParams("sieve takes [limit] with 0 <= limit <= 10000000");
        const arg = if (params) |p| switch (p) {
            .array => |a| if (a.items.len == 1) a.items[0] else null,
            .object => |o| o.get("limit"),
            else => null,
        } else null;
        const limit = integer(arg) orelse return invalid;
        if (limit < 0 or limit > max_limit) return invalid;
        const n: usize = @intCast(limit);
        const composite = try self.arena.alloc(u8, n + 1);
        @memset(composite, 0);
        var i: usize = 2;
        while (i * i <= n) : (i += 1) {
            if (composite[i] != 0) continue;
            var j = i * i;
            while (j <= n) : (j += i) composite[j] = 1;
        }
        var primes: usize = 0;
        for (composite[@min(2, n + 1)..]) |c| primes += @intFromBool(c == 0);
        return .{ .result = .{ .integer = @intCast(primes) } };
    }
};

/// An integer without fraction or exponent that fits an i64.
fn integer(v: ?Value) ?i64 {
    const text = switch (v orelse return null) {
        .number_string => |s| s,
        .integer => |i| return i,
        else => return null,
    };
    if (!json.isNumberFormattedLikeAnInteger(text)) return null;
    return std.fmt.parseInt(i64, text, 10) catch null;
}

fn add(params: ?Value) Answer {
    const invalid = Answer.invalidParams("add takes {a, b} or [a, b] (integers)");
    const p = params orelse return invalid;
    const a, const b = switch (p) {
        .object => |o| .{ integer(o.get("a")), integer(o.get("b")) },
        .array => |arr| if (arr.items.len == 2) .{ integer(arr.items[0]), integer(arr.items[1]) } else return invalid,
        else => return invalid,
    };
    const sum, const overflow = @addWithOverflow(a orelse return invalid, b orelse return invalid);
    if (overflow != 0) return Answer.invalidParams("add: the sum overflows");
    return .{ .result = .{ .integer = sum } };
}

pub fn main(init: std.process.Init) !void {
    const io = init.io;
    var in_buf: [64 * 1024]u8 = undefined;
    var out_buf: [4096]u8 = undefined;
    var in = Io.File.stdin().readerStreaming(io, &in_buf);
    var out = Io.File.stdout().writerStreaming(io, &out_buf);
    var arena = std.heap.ArenaAllocator.init(init.gpa);
    defer arena.deinit();
    var plugin: Plugin = .{
        .io = io,
        .arena = arena.allocator(),
        .in = &in.interface,
        .out = &out.interface,
        .line = .init(init.gpa),
    };
    defer plugin.line.deinit();

    while (try plugin.readLine()) |text| {
        defer _ = arena.reset(.retain_capacity);
        if (std.mem.trim(u8, text, " \t").len == 0) continue;
        const msg = plugin.parse(text) orelse {
            try plugin.send(.null, .{ .err = .{ .code = -32700, .message = "parse error" } });
            continue;
        };
        const obj = if (msg == .object) msg.object else {
            try plugin.send(.null, .{ .err = .{ .code = -32600, .message = "invalid request" } });
            continue;
        };
        const method = obj.get("method") orelse {
            // A stray response is ignored; anything else is not a request.
            if (obj.get("result") == null and obj.get("error") == null)
                try plugin.send(.null, .{ .err = .{ .code = -32600, .message = "invalid request" } });
            continue;
        };
        if (method != .string) {
            try plugin.send(.null, .{ .err = .{ .code = -32600, .message = "invalid request" } });
            continue;
        }
        const id = obj.get("id") orelse continue; // notifications get no answer
        const answer = try plugin.handle(method.string, obj.get("params"));
        try plugin.send(id, answer);
    }
}

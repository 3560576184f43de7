;; The example plugin written by hand in WebAssembly text: newline-delimited
;; JSON-RPC 2.0 on stdin/stdout, one log line on stderr. Two WASI imports.
;;
;; Like the C plugin it never builds a JSON tree: a value is a span (pointer,
;; length) of the input line, and the scanner skips values to find members.
;;
;; Memory: 0-63 scratch (iovec, nread, digits), 256-2047 constant strings,
;; 65536- the stdin buffer (grown as needed); the sieve's bytes go after it.
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)

  ;; Constant strings, 32 bytes apart: (offset, length) pairs in the code.
  (data (i32.const 256) "{\"jsonrpc\":\"2.0\",\"id\":")   ;; 22
  (data (i32.const 288) ",\"result\":")                    ;; 10
  (data (i32.const 320) ",\"error\":{\"code\":")           ;; 17
  (data (i32.const 352) ",\"message\":\"")                 ;; 12
  (data (i32.const 384) "\"}}\n")                          ;; 4
  (data (i32.const 416) "}\n")                             ;; 2
  (data (i32.const 448) "\"pong\"")                        ;; 6
  (data (i32.const 480) "null")                            ;; 4
  (data (i32.const 512) "INFO wat_plugin: ping\n")         ;; 22
  (data (i32.const 544) ",\"method\":\"host.echo\",\"params\":") ;; 31
  (data (i32.const 576) "true")                            ;; 4
  (data (i32.const 608) "false")                           ;; 5
  (data (i32.const 640) "ping")                            ;; 4
  (data (i32.const 672) "echo")                            ;; 4
  (data (i32.const 704) "add")                             ;; 3
  (data (i32.const 736) "sieve")                           ;; 5
  (data (i32.const 768) "echo_host")                       ;; 9
  (data (i32.const 800) "id")                              ;; 2
  (data (i32.const 832) "method")                          ;; 6
  (data (i32.const 864) "params")                          ;; 6
  (data (i32.const 896) "result")                          ;; 6
  (data (i32.const 928) "error")                           ;; 5
  (data (i32.const 960) "a")                               ;; 1
  (data (i32.const 992) "b")                               ;; 1
  (data (i32.const 1024) "limit")                          ;; 5
  (data (i32.const 1056) "method not found: ")             ;; 18
  (data (i32.const 1088) "invalid params")                 ;; 14
  (data (i32.const 1120) "parse error")                    ;; 11
  (data (i32.const 1152) "invalid request")                ;; 15
  (data (i32.const 1184) "the host did not answer")        ;; 23
  (data (i32.const 1216) ",\"error\":")                    ;; 9

  (global $pos (mut i32) (i32.const 65536))  ;; first unread byte of the buffer
  (global $end (mut i32) (i32.const 65536))  ;; end of the buffered stdin bytes
  (global $next_id (mut i64) (i64.const 1))  ;; ids of our own requests to the host
  (global $ok (mut i32) (i32.const 0))       ;; set by $int

  ;; ---- output ------------------------------------------------------------

  (func $write (param $fd i32) (param $p i32) (param $n i32)
    (i32.store (i32.const 0) (local.get $p))
    (i32.store (i32.const 4) (local.get $n))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func $out (param $p i32) (param $n i32) (call $write (i32.const 1) (local.get $p) (local.get $n)))

  (func $out_i64 (param $v i64)
    (local $p i32) (local $mag i64)
    (local.set $p (i32.const 64))
    (local.set $mag (local.get $v))
    (if (i64.lt_s (local.get $v) (i64.const 0))
      (then (local.set $mag (i64.sub (i64.const 0) (local.get $v)))))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.wrap_i64 (i64.add (i64.const 48) (i64.rem_u (local.get $mag) (i64.const 10)))))
      (local.set $mag (i64.div_u (local.get $mag) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $mag) (i64.const 0))))
    (if (i64.lt_s (local.get $v) (i64.const 0))
      (then
        (local.set $p (i32.sub (local.get $p) (i32.const 1)))
        (i32.store8 (local.get $p) (i32.const 45))))
    (call $out (local.get $p) (i32.sub (i32.const 64) (local.get $p))))

  ;; `{"jsonrpc":"2.0","id":ID`
  (func $head (param $id i32) (param $idn i32)
    (call $out (i32.const 256) (i32.const 22))
    (call $out (local.get $id) (local.get $idn)))

  ;; `…,"result":` then the caller writes the value, then $done
  (func $result (param $id i32) (param $idn i32)
    (call $head (local.get $id) (local.get $idn))
    (call $out (i32.const 288) (i32.const 10)))

  (func $done (call $out (i32.const 416) (i32.const 2)))

  (func $error (param $id i32) (param $idn i32) (param $code i64)
        (param $msg i32) (param $msgn i32) (param $x i32) (param $xn i32)
    (call $head (local.get $id) (local.get $idn))
    (call $out (i32.const 320) (i32.const 17))
    (call $out_i64 (local.get $code))
    (call $out (i32.const 352) (i32.const 12))
    (call $out (local.get $msg) (local.get $msgn))
    (call $out (local.get $x) (local.get $xn))
    (call $out (i32.const 384) (i32.const 4)))

  (func $invalid_params (param $id i32) (param $idn i32)
    (call $error (local.get $id) (local.get $idn) (i64.const -32602)
      (i32.const 1088) (i32.const 14) (i32.const 0) (i32.const 0)))

  ;; ---- input -------------------------------------------------------------

  ;; Reads more of stdin after $end, keeping 64 KiB free; returns the count (0: EOF).
  (func $fill (result i32)
    (if (i32.lt_u (i32.sub (i32.shl (memory.size) (i32.const 16)) (global.get $end)) (i32.const 65536))
      (then (if (i32.lt_s (memory.grow (i32.const 16)) (i32.const 0)) (then (return (i32.const 0))))))
    (i32.store (i32.const 0) (global.get $end))
    (i32.store (i32.const 4) (i32.const 65536))
    (if (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8))
      (then (return (i32.const 0))))
    (global.set $end (i32.add (global.get $end) (i32.load (i32.const 8))))
    (i32.load (i32.const 8)))

  ;; The next line without "\n" or "\r\n": (start, length), start 0 at EOF.
  ;; Earlier lines stay where they are, so their spans remain valid.
  (func $read_line (result i32 i32)
    (local $i i32) (local $start i32) (local $n i32)
    (local.set $i (global.get $pos))
    (block $found
      (loop $scan
        (if (i32.lt_u (local.get $i) (global.get $end))
          (then
            (br_if $found (i32.eq (i32.load8_u (local.get $i)) (i32.const 10)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $scan)))
        (br_if $scan (call $fill))
        ;; EOF: a last line without "\n", or nothing.
        (if (i32.eq (global.get $pos) (global.get $end))
          (then (return (i32.const 0) (i32.const 0))))))
    (local.set $start (global.get $pos))
    (local.set $n (i32.sub (local.get $i) (local.get $start)))
    (global.set $pos (select (i32.add (local.get $i) (i32.const 1)) (local.get $i)
      (i32.lt_u (local.get $i) (global.get $end))))
    (if (i32.and (i32.gt_u (local.get $n) (i32.const 0))
                 (i32.eq (i32.load8_u (i32.add (local.get $start) (i32.sub (local.get $n) (i32.const 1))))
                         (i32.const 13)))
      (then (local.set $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $start) (local.get $n))

  ;; ---- JSON scanning -----------------------------------------------------

  (func $ws (param $p i32) (param $end i32) (result i32)
    (local $c i32)
    (block $stop
      (loop $more
        (br_if $stop (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $p)))
        (br_if $stop (i32.eqz (i32.or (i32.or (i32.eq (local.get $c) (i32.const 32)) (i32.eq (local.get $c) (i32.const 9)))
                                      (i32.or (i32.eq (local.get $c) (i32.const 10)) (i32.eq (local.get $c) (i32.const 13))))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $more)))
    (local.get $p))

  (func $digit_at (param $p i32) (param $end i32) (result i32)
    (i32.and (i32.lt_u (local.get $p) (local.get $end))
             (i32.lt_u (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)) (i32.const 10))))

  (func $digits (param $p i32) (param $end i32) (result i32)
    (loop $more
      (if (call $digit_at (local.get $p) (local.get $end))
        (then (local.set $p (i32.add (local.get $p) (i32.const 1))) (br $more))))
    (local.get $p))

  (func $eq (param $a i32) (param $b i32) (param $n i32) (result i32)
    (loop $more
      (if (local.get $n)
        (then
          (if (i32.ne (i32.load8_u (local.get $a)) (i32.load8_u (local.get $b)))
            (then (return (i32.const 0))))
          (local.set $a (i32.add (local.get $a) (i32.const 1)))
          (local.set $b (i32.add (local.get $b) (i32.const 1)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $more))))
    (i32.const 1))

  ;; The end of the word at p (true, false, null), or 0.
  (func $word (param $p i32) (param $end i32) (param $w i32) (param $n i32) (result i32)
    (if (result i32) (i32.and (i32.le_u (local.get $n) (i32.sub (local.get $end) (local.get $p)))
                              (call $eq (local.get $p) (local.get $w) (local.get $n)))
      (then (i32.add (local.get $p) (local.get $n)))
      (else (i32.const 0))))

  (func $string (param $p i32) (param $end i32) (result i32)
    (local $c i32) (local $k i32)
    (loop $more
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const 0))))
      (local.set $c (i32.load8_u (local.get $p)))
      (if (i32.eq (local.get $c) (i32.const 34)) (then (return (i32.add (local.get $p) (i32.const 1)))))
      (if (i32.lt_u (local.get $c) (i32.const 32)) (then (return (i32.const 0))))
      (if (i32.eq (local.get $c) (i32.const 92))
        (then
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const 0))))
          (local.set $c (i32.load8_u (local.get $p)))
          (if (i32.eq (local.get $c) (i32.const 117)) ;; \uXXXX
            (then
              (local.set $k (i32.const 4))
              (loop $hex
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const 0))))
                (local.set $c (i32.load8_u (local.get $p)))
                (if (i32.eqz (i32.or (i32.lt_u (i32.sub (local.get $c) (i32.const 48)) (i32.const 10))
                                     (i32.lt_u (i32.sub (i32.or (local.get $c) (i32.const 32)) (i32.const 97)) (i32.const 6))))
                  (then (return (i32.const 0))))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br_if $hex (local.get $k))))
            (else
              ;; one of " \ / b f n r t
              (if (i32.eqz (i32.or (i32.or (i32.or (i32.eq (local.get $c) (i32.const 34)) (i32.eq (local.get $c) (i32.const 92)))
                                           (i32.or (i32.eq (local.get $c) (i32.const 47)) (i32.eq (local.get $c) (i32.const 98))))
                                   (i32.or (i32.or (i32.eq (local.get $c) (i32.const 102)) (i32.eq (local.get $c) (i32.const 110)))
                                           (i32.or (i32.eq (local.get $c) (i32.const 114)) (i32.eq (local.get $c) (i32.const 116))))))
                (then (return (i32.const 0))))))))
      (br $more))
    (unreachable))

  (func $number (param $p i32) (param $end i32) (result i32)
    (if (i32.and (i32.lt_u (local.get $p) (local.get $end)) (i32.eq (i32.load8_u (local.get $p)) (i32.const 45)))
      (then (local.set $p (i32.add (local.get $p) (i32.const 1)))))
    (if (i32.eqz (call $digit_at (local.get $p) (local.get $end))) (then (return (i32.const 0))))
    (local.set $p (if (result i32) (i32.eq (i32.load8_u (local.get $p)) (i32.const 48))
      (then (i32.add (local.get $p) (i32.const 1)))
      (else (call $digits (local.get $p) (local.get $end)))))
    (if (i32.and (i32.lt_u (local.get $p) (local.get $end)) (i32.eq (i32.load8_u (local.get $p)) (i32.const 46)))
      (then
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (if (i32.eqz (call $digit_at (local.get $p) (local.get $end))) (then (return (i32.const 0))))
        (local.set $p (call $digits (local.get $p) (local.get $end)))))
    (if (i32.and (i32.lt_u (local.get $p) (local.get $end))
                 (i32.eq (i32.or (i32.load8_u (local.get $p)) (i32.const 32)) (i32.const 101)))
      (then
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (if (i32.and (i32.lt_u (local.get $p) (local.get $end))
                     (i32.or (i32.eq (i32.load8_u (local.get $p)) (i32.const 43))
                             (i32.eq (i32.load8_u (local.get $p)) (i32.const 45))))
          (then (local.set $p (i32.add (local.get $p) (i32.const 1)))))
        (if (i32.eqz (call $digit_at (local.get $p) (local.get $end))) (then (return (i32.const 0))))
        (local.set $p (call $digits (local.get $p) (local.get $end)))))
    (local.get $p))

  ;; Skips one value (after whitespace); returns the byte after it, or 0 if invalid.
  (func $skip (param $p i32) (param $end i32) (param $depth i32) (result i32)
    (local $c i32) (local $close i32) (local $object i32)
    (local.set $p (call $ws (local.get $p) (local.get $end)))
    (if (i32.or (i32.ge_u (local.get $p) (local.get $end)) (i32.gt_u (local.get $depth) (i32.const 128)))
      (then (return (i32.const 0))))
    (local.set $c (i32.load8_u (local.get $p)))
    (if (i32.eq (local.get $c) (i32.const 34)) (then (return (call $string (local.get $p) (local.get $end)))))
    (if (i32.eq (local.get $c) (i32.const 116)) (then (return (call $word (local.get $p) (local.get $end) (i32.const 576) (i32.const 4)))))
    (if (i32.eq (local.get $c) (i32.const 102)) (then (return (call $word (local.get $p) (local.get $end) (i32.const 608) (i32.const 5)))))
    (if (i32.eq (local.get $c) (i32.const 110)) (then (return (call $word (local.get $p) (local.get $end) (i32.const 480) (i32.const 4)))))
    (if (i32.and (i32.ne (local.get $c) (i32.const 91)) (i32.ne (local.get $c) (i32.const 123)))
      (then (return (call $number (local.get $p) (local.get $end)))))
    ;; `[`+2 is `]`, `{`+2 is `}`
    (local.set $close (i32.add (local.get $c) (i32.const 2)))
    (local.set $object (i32.eq (local.get $c) (i32.const 123)))
    (local.set $p (call $ws (i32.add (local.get $p) (i32.const 1)) (local.get $end)))
    (if (i32.and (i32.lt_u (local.get $p) (local.get $end)) (i32.eq (i32.load8_u (local.get $p)) (local.get $close)))
      (then (return (i32.add (local.get $p) (i32.const 1)))))
    (loop $member
      (if (local.get $object)
        (then
          (local.set $p (call $ws (local.get $p) (local.get $end)))
          (if (i32.or (i32.ge_u (local.get $p) (local.get $end)) (i32.ne (i32.load8_u (local.get $p)) (i32.const 34)))
            (then (return (i32.const 0))))
          (local.set $p (call $string (local.get $p) (local.get $end)))
          (if (i32.eqz (local.get $p)) (then (return (i32.const 0))))
          (local.set $p (call $ws (local.get $p) (local.get $end)))
          (if (i32.or (i32.ge_u (local.get $p) (local.get $end)) (i32.ne (i32.load8_u (local.get $p)) (i32.const 58)))
            (then (return (i32.const 0))))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))))
      (local.set $p (call $skip (local.get $p) (local.get $end) (i32.add (local.get $depth) (i32.const 1))))
      (if (i32.eqz (local.get $p)) (then (return (i32.const 0))))
      (local.set $p (call $ws (local.get $p) (local.get $end)))
      (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const 0))))
      (local.set $c (i32.load8_u (local.get $p)))
      (if (i32.eq (local.get $c) (local.get $close)) (then (return (i32.add (local.get $p) (i32.const 1)))))
      (if (i32.ne (local.get $c) (i32.const 44)) (then (return (i32.const 0))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $member))
    (unreachable))

  ;; The member `key` of a (valid) object: (start, length), start 0 if absent.
  (func $get (param $p i32) (param $n i32) (param $key i32) (param $keyn i32) (result i32 i32)
    (local $end i32) (local $k i32) (local $kn i32) (local $v i32) (local $ve i32)
    (local.set $end (i32.add (local.get $p) (local.get $n)))
    (if (i32.or (i32.lt_u (local.get $n) (i32.const 2)) (i32.ne (i32.load8_u (local.get $p)) (i32.const 123)))
      (then (return (i32.const 0) (i32.const 0))))
    (local.set $p (call $ws (i32.add (local.get $p) (i32.const 1)) (local.get $end)))
    (loop $member
      (if (i32.and (i32.lt_u (local.get $p) (local.get $end)) (i32.eq (i32.load8_u (local.get $p)) (i32.const 34)))
        (then
          (local.set $k (i32.add (local.get $p) (i32.const 1)))
          (local.set $p (call $string (local.get $p) (local.get $end)))
          (local.set $kn (i32.sub (i32.sub (local.get $p) (i32.const 1)) (local.get $k)))
          (local.set $p (i32.add (call $ws (local.get $p) (local.get $end)) (i32.const 1))) ;; past `:`
          (local.set $v (call $ws (local.get $p) (local.get $end)))
          (local.set $ve (call $skip (local.get $v) (local.get $end) (i32.const 0)))
          (if (i32.and (i32.eq (local.get $kn) (local.get $keyn)) (call $eq (local.get $k) (local.get $key) (local.get $keyn)))
            (then (return (local.get $v) (i32.sub (local.get $ve) (local.get $v)))))
          (local.set $p (call $ws (local.get $ve) (local.get $end)))
          (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 44))
            (then (local.set $p (call $ws (i32.add (local.get $p) (i32.const 1)) (local.get $end)))))
          (br $member))))
    (i32.const 0) (i32.const 0))

  ;; Element i of a (valid) array: (start, length), start 0 if there is none.
  ;; With i = -1 it counts instead: (0, number of elements), or (0, -1) for a non-array.
  (func $at (param $p i32) (param $n i32) (param $i i32) (result i32 i32)
    (local $end i32) (local $v i32) (local $ve i32) (local $count i32)
    (local.set $end (i32.add (local.get $p) (local.get $n)))
    (if (i32.or (i32.lt_u (local.get $n) (i32.const 2)) (i32.ne (i32.load8_u (local.get $p)) (i32.const 91)))
      (then (return (i32.const 0) (i32.const -1))))
    (local.set $p (call $ws (i32.add (local.get $p) (i32.const 1)) (local.get $end)))
    (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 93)) (then (return (i32.const 0) (i32.const 0))))
    (loop $element
      (local.set $v (call $ws (local.get $p) (local.get $end)))
      (local.set $ve (call $skip (local.get $v) (local.get $end) (i32.const 0)))
      (if (i32.eq (local.get $count) (local.get $i))
        (then (return (local.get $v) (i32.sub (local.get $ve) (local.get $v)))))
      (local.set $count (i32.add (local.get $count) (i32.const 1)))
      (local.set $p (call $ws (local.get $ve) (local.get $end)))
      (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 44))
        (then (local.set $p (i32.add (local.get $p) (i32.const 1))) (br $element))))
    (i32.const 0) (local.get $count))

  (func $len (param $p i32) (param $n i32) (result i32)
    (local $count i32)
    (call $at (local.get $p) (local.get $n) (i32.const -1))
    (local.set $count)
    (drop)
    (local.get $count))

  ;; An integer (no fraction or exponent) that fits an i64; sets $ok.
  (func $int (param $p i32) (param $n i32) (result i64)
    (local $end i32) (local $neg i32) (local $mag i64) (local $d i64)
    (global.set $ok (i32.const 0))
    (local.set $end (i32.add (local.get $p) (local.get $n)))
    (local.set $neg (i32.and (i32.gt_u (local.get $n) (i32.const 0)) (i32.eq (i32.load8_u (local.get $p)) (i32.const 45))))
    (local.set $p (i32.add (local.get $p) (local.get $neg)))
    (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i64.const 0))))
    (loop $more
      (if (i32.lt_u (local.get $p) (local.get $end))
        (then
          (if (i32.eqz (call $digit_at (local.get $p) (local.get $end))) (then (return (i64.const 0))))
          (local.set $d (i64.extend_i32_u (i32.sub (i32.load8_u (local.get $p)) (i32.const 48))))
          ;; more than 2^63 (as a magnitude) fails either way
          (if (i64.gt_u (local.get $mag) (i64.div_u (i64.sub (i64.const 0x8000000000000000) (local.get $d)) (i64.const 10)))
            (then (return (i64.const 0))))
          (local.set $mag (i64.add (i64.mul (local.get $mag) (i64.const 10)) (local.get $d)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $more))))
    (if (local.get $neg) (then (global.set $ok (i32.const 1)) (return (i64.sub (i64.const 0) (local.get $mag)))))
    (global.set $ok (i64.lt_u (local.get $mag) (i64.const 0x8000000000000000)))
    (local.get $mag))

  ;; Whether the value is the string s (raw text between the quotes).
  (func $is (param $p i32) (param $n i32) (param $s i32) (param $sn i32) (result i32)
    (if (result i32) (i32.eq (local.get $n) (i32.add (local.get $sn) (i32.const 2)))
      (then (call $eq (i32.add (local.get $p) (i32.const 1)) (local.get $s) (local.get $sn)))
      (else (i32.const 0))))

  ;; ---- methods -----------------------------------------------------------

  (func $sieve (param $limit i32) (result i64)
    (local $base i32) (local $i i32) (local $j i32) (local $count i64) (local $need i32)
    (local.set $base (global.get $end))
    (local.set $need (i32.add (i32.add (local.get $base) (local.get $limit)) (i32.const 1)))
    (if (i32.gt_u (local.get $need) (i32.shl (memory.size) (i32.const 16)))
      (then
        (if (i32.lt_s (memory.grow (i32.sub (i32.shr_u (i32.add (local.get $need) (i32.const 65535)) (i32.const 16)) (memory.size)))
                      (i32.const 0))
          (then (unreachable)))))
    (memory.fill (local.get $base) (i32.const 0) (i32.add (local.get $limit) (i32.const 1)))
    (local.set $i (i32.const 2))
    (loop $outer
      (if (i32.le_u (i32.mul (local.get $i) (local.get $i)) (local.get $limit))
        (then
          (if (i32.eqz (i32.load8_u (i32.add (local.get $base) (local.get $i))))
            (then
              (local.set $j (i32.mul (local.get $i) (local.get $i)))
              (loop $inner
                (if (i32.le_u (local.get $j) (local.get $limit))
                  (then
                    (i32.store8 (i32.add (local.get $base) (local.get $j)) (i32.const 1))
                    (local.set $j (i32.add (local.get $j) (local.get $i)))
                    (br $inner))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $outer))))
    (local.set $i (i32.const 2))
    (loop $tally
      (if (i32.le_u (local.get $i) (local.get $limit))
        (then
          (local.set $count (i64.add (local.get $count)
            (i64.extend_i32_u (i32.eqz (i32.load8_u (i32.add (local.get $base) (local.get $i)))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $tally))))
    (local.get $count))

  (func $add (param $id i32) (param $idn i32) (param $pp i32) (param $pn i32)
    (local $ap i32) (local $an i32) (local $bp i32) (local $bn i32) (local $a i64) (local $b i64) (local $sum i64)
    (call $get (local.get $pp) (local.get $pn) (i32.const 960) (i32.const 1))
    (local.set $an) (local.set $ap)
    (call $get (local.get $pp) (local.get $pn) (i32.const 992) (i32.const 1))
    (local.set $bn) (local.set $bp)
    (if (i32.or (i32.eqz (local.get $ap)) (i32.eqz (local.get $bp)))
      (then
        (if (i32.ne (call $len (local.get $pp) (local.get $pn)) (i32.const 2))
          (then (return (call $invalid_params (local.get $id) (local.get $idn)))))
        (call $at (local.get $pp) (local.get $pn) (i32.const 0))
        (local.set $an) (local.set $ap)
        (call $at (local.get $pp) (local.get $pn) (i32.const 1))
        (local.set $bn) (local.set $bp)))
    (local.set $a (call $int (local.get $ap) (local.get $an)))
    (if (i32.eqz (global.get $ok)) (then (return (call $invalid_params (local.get $id) (local.get $idn)))))
    (local.set $b (call $int (local.get $bp) (local.get $bn)))
    (if (i32.eqz (global.get $ok)) (then (return (call $invalid_params (local.get $id) (local.get $idn)))))
    (local.set $sum (i64.add (local.get $a) (local.get $b)))
    ;; overflow when the sum's sign differs from both operands' signs
    (if (i64.lt_s (i64.and (i64.xor (local.get $a) (local.get $sum)) (i64.xor (local.get $b) (local.get $sum))) (i64.const 0))
      (then (return (call $invalid_params (local.get $id) (local.get $idn)))))
    (call $result (local.get $id) (local.get $idn))
    (call $out_i64 (local.get $sum))
    (call $done))

  (func $sieve_method (param $id i32) (param $idn i32) (param $pp i32) (param $pn i32)
    (local $vp i32) (local $vn i32) (local $limit i64)
    (if (result i32 i32) (i32.eq (call $len (local.get $pp) (local.get $pn)) (i32.const 1))
      (then (call $at (local.get $pp) (local.get $pn) (i32.const 0)))
      (else (call $get (local.get $pp) (local.get $pn) (i32.const 1024) (i32.const 5))))
    (local.set $vn) (local.set $vp)
    (local.set $limit (call $int (local.get $vp) (local.get $vn)))
    (if (i32.or (i32.eqz (global.get $ok)) (i64.gt_u (local.get $limit) (i64.const 10000000)))
      (then (return (call $invalid_params (local.get $id) (local.get $idn)))))
    (call $result (local.get $id) (local.get $idn))
    (call $out_i64 (call $sieve (i32.wrap_i64 (local.get $limit))))
    (call $done))

  ;; Calls host.echo with the same params and answers with the host's answer.
  (func $echo_host (param $id i32) (param $idn i32) (param $pp i32) (param $pn i32)
    (local $own i64) (local $got i64) (local $p i32) (local $n i32) (local $end i32) (local $e i32)
    (local $rp i32) (local $rn i32)
    (if (i32.ne (call $len (local.get $pp) (local.get $pn)) (i32.const 1))
      (then (return (call $invalid_params (local.get $id) (local.get $idn)))))
    (local.set $own (global.get $next_id))
    (global.set $next_id (i64.add (local.get $own) (i64.const 1)))
    (call $out (i32.const 256) (i32.const 22))
    (call $out_i64 (local.get $own))
    (call $out (i32.const 544) (i32.const 31))
    (call $out (local.get $pp) (local.get $pn))
    (call $done)
    (loop $answer
      (call $read_line)
      (local.set $n) (local.set $p)
      (if (i32.eqz (local.get $p))
        (then
          (return (call $error (local.get $id) (local.get $idn) (i64.const -32603)
            (i32.const 1184) (i32.const 23) (i32.const 0) (i32.const 0)))))
      (local.set $end (i32.add (local.get $p) (local.get $n)))
      (local.set $p (call $ws (local.get $p) (local.get $end)))
      (local.set $e (call $skip (local.get $p) (local.get $end) (i32.const 0)))
      (br_if $answer (i32.or (i32.eqz (local.get $e)) (i32.ne (call $ws (local.get $e) (local.get $end)) (local.get $end))))
      (local.set $n (i32.sub (local.get $e) (local.get $p)))
      (call $get (local.get $p) (local.get $n) (i32.const 800) (i32.const 2))
      (local.set $rn) (local.set $rp)
      (local.set $got (call $int (local.get $rp) (local.get $rn)))
      (br_if $answer (i32.or (i32.eqz (global.get $ok)) (i64.ne (local.get $got) (local.get $own)))))
    (call $get (local.get $p) (local.get $n) (i32.const 928) (i32.const 5))
    (local.set $rn) (local.set $rp)
    (call $head (local.get $id) (local.get $idn))
    (if (local.get $rp)
      (then (call $out (i32.const 1216) (i32.const 9)))
      (else
        (call $get (local.get $p) (local.get $n) (i32.const 896) (i32.const 6))
        (local.set $rn) (local.set $rp)
        (call $out (i32.const 288) (i32.const 10))
        (if (i32.eqz (local.get $rp))
          (then (local.set $rp (i32.const 480)) (local.set $rn (i32.const 4))))))
    (call $out (local.get $rp) (local.get $rn))
    (call $done))

  (func $handle (param $id i32) (param $idn i32) (param $mp i32) (param $mn i32) (param $pp i32) (param $pn i32)
    (if (call $is (local.get $mp) (local.get $mn) (i32.const 640) (i32.const 4))
      (then
        (call $write (i32.const 2) (i32.const 512) (i32.const 22))
        (call $result (local.get $id) (local.get $idn))
        (call $out (i32.const 448) (i32.const 6))
        (return (call $done))))
    (if (call $is (local.get $mp) (local.get $mn) (i32.const 672) (i32.const 4))
      (then
        (call $result (local.get $id) (local.get $idn))
        (if (local.get $pp)
          (then (call $out (local.get $pp) (local.get $pn)))
          (else (call $out (i32.const 480) (i32.const 4))))
        (return (call $done))))
    (if (call $is (local.get $mp) (local.get $mn) (i32.const 704) (i32.const 3))
      (then (return (call $add (local.get $id) (local.get $idn) (local.get $pp) (local.get $pn)))))
    (if (call $is (local.get $mp) (local.get $mn) (i32.const 736) (i32.const 5))
      (then (return (call $sieve_method (local.get $id) (local.get $idn) (local.get $pp) (local.get $pn)))))
    (if (call $is (local.get $mp) (local.get $mn) (i32.const 768) (i32.const 9))
      (then (return (call $echo_host (local.get $id) (local.get $idn) (local.get $pp) (local.get $pn)))))
    (call $error (local.get $id) (local.get $idn) (i64.const -32601) (i32.const 1056) (i32.const 18)
      (i32.add (local.get $mp) (i32.const 1)) (i32.sub (local.get $mn) (i32.const 2))))

  ;; ---- the request loop --------------------------------------------------

  (func (export "_start")
    (local $p i32) (local $n i32) (local $end i32) (local $e i32)
    (local $id i32) (local $idn i32) (local $mp i32) (local $mn i32) (local $pp i32) (local $pn i32)
    (loop $next
      ;; Nothing is borrowed from earlier lines any more: move the rest down.
      (memory.copy (i32.const 65536) (global.get $pos) (i32.sub (global.get $end) (global.get $pos)))
      (global.set $end (i32.add (i32.const 65536) (i32.sub (global.get $end) (global.get $pos))))
      (global.set $pos (i32.const 65536))
      (call $read_line)
      (local.set $n) (local.set $p)
      (if (i32.eqz (local.get $p)) (then (return)))
      (br_if $next (i32.eqz (local.get $n)))
      (local.set $end (i32.add (local.get $p) (local.get $n)))
      (local.set $p (call $ws (local.get $p) (local.get $end)))
      (local.set $e (call $skip (local.get $p) (local.get $end) (i32.const 0)))
      (if (i32.or (i32.eqz (local.get $e)) (i32.ne (call $ws (local.get $e) (local.get $end)) (local.get $end)))
        (then
          (call $error (i32.const 480) (i32.const 4) (i64.const -32700) (i32.const 1120) (i32.const 11) (i32.const 0) (i32.const 0))
          (br $next)))
      (local.set $n (i32.sub (local.get $e) (local.get $p)))
      (call $get (local.get $p) (local.get $n) (i32.const 800) (i32.const 2))
      (local.set $idn) (local.set $id)
      (call $get (local.get $p) (local.get $n) (i32.const 832) (i32.const 6))
      (local.set $mn) (local.set $mp)
      (if (i32.or (i32.eqz (local.get $mp)) (i32.ne (i32.load8_u (local.get $mp)) (i32.const 34)))
        (then
          ;; A stray response is ignored; anything else is not a request.
          (if (i32.eqz (i32.or (call $has (local.get $p) (local.get $n) (i32.const 896) (i32.const 6))
                               (call $has (local.get $p) (local.get $n) (i32.const 928) (i32.const 5))))
            (then (call $error (i32.const 480) (i32.const 4) (i64.const -32600) (i32.const 1152) (i32.const 15) (i32.const 0) (i32.const 0))))
          (br $next)))
      (call $get (local.get $p) (local.get $n) (i32.const 864) (i32.const 6))
      (local.set $pn) (local.set $pp)
      ;; Notifications (no id) get no answer.
      (if (local.get $id)
        (then (call $handle (local.get $id) (local.get $idn) (local.get $mp) (local.get $mn) (local.get $pp) (local.get $pn))))
      (br $next)))

  (func $has (param $p i32) (param $n i32) (param $key i32) (param $keyn i32) (result i32)
    (call $get (local.get $p) (local.get $n) (local.get $key) (local.get $keyn))
    (drop)))

#!/usr/bin/perl
#
# test/docs_examples.pl: run every SQL example in the documentation and
# compare its output with the documented output.
#
# Usage:
#   perl test/docs_examples.pl [FILE.md | DIR] ...
#
# Without arguments: every *.md under docs/ (recursively, sorted), relative to
# the repository root.  Connection: the usual libpq environment (PGHOST,
# PGPORT, PGUSER); test/run.sh check sets it for its cluster.  Uses psql from
# PATH.
#
# Convention in the Markdown:
#   - A fenced block opened with ```sql is one example (one or more statements).
#   - If the next thing after it (blank lines allowed) is a block opened with
#     ```text, that block is the exact expected psql output.  An sql block
#     without one must just run without error.
#   - If the text block has a line starting "ERROR:", the example is run with
#     ON_ERROR_STOP=0 and stderr and stdout, merged, are compared with it (the
#     "psql:<stdin>:N: " prefix of psql's messages is removed).  Otherwise it
#     is run with ON_ERROR_STOP=1 and only stdout is compared.
#   - A block opened with ```sql grafana ... or ```sql metabase ... is a query
#     as written in that BI tool; it is run as the tool would send it (see
#     expand_dashboard_query).
#   - A line "<!-- no-check -->" right before a fence skips that block (and
#     the text block after it).  Blocks fenced as anything but sql (bash, sh,
#     text on its own, plain ```) are never run.
# Each page gets a fresh database (dropped and created, CREATE EXTENSION slo);
# its examples run in order, one psql session each (psql -X -q
# --pset=footer=on, aligned), so a table created by one example is there for
# the next, but psql settings (\set, \pset) are not.
# Comparison ignores trailing whitespace on each line and trailing blank lines.
#
# Output: TAP-like, one "ok N - docs/page.md block K" or "not ok N - ..." per
# example (K counts the page's sql blocks from 1; a failure is followed by a
# diff or the error, as "# " comment lines), then a last line
# "docs examples: P passed, F failed".  Exit status 0 when F is 0.
#
# Environment:
#   SLO_DOCS_KEEP=1        keep the databases afterwards (slo_docs_<page>)
#   SLO_DOCS_TIMEOUT=300   seconds an example may run before it counts as failed
#
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Find qw(find);
use File::Spec;
use File::Temp qw(tempdir);
use Cwd qw(abs_path);
use POSIX qw(:sys_wait_h);

my $root = abs_path(File::Spec->catdir(dirname(abs_path($0)), '..'));
my $keep = $ENV{SLO_DOCS_KEEP};
my $timeout = $ENV{SLO_DOCS_TIMEOUT} // 300;
my $tmp = tempdir('slo-docs-XXXXXX', TMPDIR => 1, CLEANUP => 1);

$| = 1;

# ---------------------------------------------------------------------------
# Which pages
# ---------------------------------------------------------------------------

my @args = @ARGV ? @ARGV : (File::Spec->catdir($root, 'docs'));
my @pages;
for my $a (@args) {
	if (-d $a) {
		my @found;
		find({ wanted => sub { push @found, $File::Find::name if -f $_ && /\.md\z/ }, no_chdir => 1 }, $a);
		push @pages, sort @found;
	} elsif (-f $a) {
		push @pages, $a;
	} else {
		print "# no such file or directory: $a\n";
		print "docs examples: 0 passed, 1 failed\n";
		exit 1;
	}
}

# How a page is named in the output: relative to the repository root when it
# is inside it.
sub display_name {
	my ($path) = @_;
	my $abs = abs_path($path) // $path;
	return File::Spec->abs2rel($abs, $root) if index($abs, "$root/") == 0;
	return $path;
}

# ---------------------------------------------------------------------------
# Markdown: the sql blocks and their expected output
# ---------------------------------------------------------------------------

# Returns a list of { k, line, sql, expected (or undef), skip }
sub examples_of {
	my ($file) = @_;
	open(my $fh, '<:raw', $file) or die "cannot read $file: $!\n";
	my @lines = <$fh>;
	close $fh;
	chomp @lines;

	# First pass: the fenced blocks, with their info word and whether the line
	# before the fence says no-check.
	my @blocks;
	my $i = 0;
	while ($i < @lines) {
		my $l = $lines[$i];
		if ($l =~ /^( {0,3})(`{3,}|~{3,})[ \t]*([^`\s]*)([^`]*)$/) {
			my ($indent, $fence, $info, $attrs) = (length $1, $2, lc $3, $4);
			my $char = substr($fence, 0, 1);
			my $len = length $fence;
			my $no_check = ($i > 0 && $lines[$i - 1] =~ /^\s*<!--\s*no-check\s*-->\s*$/) ? 1 : 0;
			my @body;
			my $j = $i + 1;
			while ($j < @lines && $lines[$j] !~ /^ {0,3}(?:\Q$char\E){$len,}\s*$/) {
				my $b = $lines[$j];
				$b =~ s/^ {1,$indent}// if $indent;
				push @body, $b;
				$j++;
			}
			push @blocks, { info => $info, attrs => $attrs, start => $i + 1, end => $j + 1,
			                body => \@body, no_check => $no_check };
			$i = $j + 1;    # past the closing fence (or the end: unclosed fences run to EOF)
			next;
		}
		$i++;
	}

	# Second pass: pair each sql block with a text block that follows it with
	# only blank lines in between.
	my @examples;
	my $k = 0;
	for (my $b = 0; $b < @blocks; $b++) {
		my $blk = $blocks[$b];
		next unless $blk->{info} eq 'sql';
		$k++;
		my $expected;
		if ($b + 1 < @blocks && $blocks[$b + 1]{info} eq 'text') {
			my $next = $blocks[$b + 1];
			my $between_blank = 1;
			for my $n ($blk->{end} .. $next->{start} - 2) {    # 0-based indexes of lines between
				$between_blank = 0 if $lines[$n] =~ /\S/;
			}
			if ($between_blank) {
				$expected = join("\n", @{ $next->{body} }) . "\n";
				$b++;
			}
		}
		push @examples, { k => $k, line => $blk->{start},
		                  sql => expand_dashboard_query(join("\n", @{ $blk->{body} }) . "\n", $blk->{attrs}),
		                  expected => $expected, skip => $blk->{no_check} };
	}
	return @examples;
}

# A query written for a BI tool, as the tool sends it: the fence says which
# tool and the values of the dashboard's time range and variables, e.g.
#   ```sql grafana from=2026-11-20T00:00:00Z to=2026-11-21T00:00:00Z service=api
#   ```sql metabase service=api
# Grafana (PostgreSQL data source): $__timeFilter(col), $__timeFrom(),
# $__timeTo(), $__time(col), $__timeGroupAlias(col, '1h') and $name or
# ${name} (replaced as they are).  Metabase (native query): {{name}} (a text
# variable: a quoted literal) and optional clauses [[ ... ]], kept when
# every variable in them has a value.  Plain sql blocks are left alone.
sub expand_dashboard_query {
	my ($sql, $attrs) = @_;
	my ($tool, @pairs) = split ' ', ($attrs // '');
	return $sql unless defined $tool && ($tool eq 'grafana' || $tool eq 'metabase');
	my %v = map { /^([^=]+)=(.*)$/ ? ($1, $2) : () } @pairs;
	my $quote = sub { my $x = shift; $x =~ s/'/''/g; "'$x'" };
	if ($tool eq 'grafana') {
		my ($from, $to) = ($quote->($v{from} // ''), $quote->($v{to} // ''));
		my %unit = (s => 1, m => 60, h => 3600, d => 86400);
		$sql =~ s/\$__timeFilter\(\s*([^)]+?)\s*\)/$1 BETWEEN $from AND $to/g;
		$sql =~ s/\$__timeFrom\(\)/$from/g;
		$sql =~ s/\$__timeTo\(\)/$to/g;
		$sql =~ s/\$__time\(\s*([^)]+?)\s*\)/$1 AS "time"/g;
		$sql =~ s{\$__timeGroupAlias\(\s*([^,]+?)\s*,\s*'?(\d+)([smhd])'?\s*\)}
		         {"floor(extract(epoch from $1)/" . ($2 * $unit{$3}) . ")*" . ($2 * $unit{$3}) . " AS \"time\""}ge;
		$sql =~ s/\$\{(\w+)\}|\$(\w+)/exists $v{$1 \/\/ $2} ? $v{$1 \/\/ $2} : "\$" . ($1 \/\/ $2)/ge;
	} else {
		$sql =~ s#\[\[(.*?)\]\]#
			my $clause = $1;
			my @names = $clause =~ /\{\{\s*(\w+)\s*\}\}/g;
			(grep { !exists $v{$_} } @names) ? '' : $clause
		#gse;
		$sql =~ s/\{\{\s*(\w+)\s*\}\}/exists $v{$1} ? $quote->($v{$1}) : 'NULL'/ge;
	}
	return $sql;
}

# ---------------------------------------------------------------------------
# Running psql
# ---------------------------------------------------------------------------

sub slurp {
	my ($f) = @_;
	open(my $fh, '<:raw', $f) or return '';
	local $/;
	my $s = <$fh>;
	close $fh;
	return $s // '';
}

sub spit {
	my ($f, $s) = @_;
	open(my $fh, '>:raw', $f) or die "cannot write $f: $!\n";
	print $fh $s;
	close $fh;
}

# run_psql(db, sql bytes, merge, on_error_stop) -> (exit status, stdout, stderr, timed_out)
# With merge, stderr goes to the same file as stdout (psql flushes stdout
# before each message, so the order is kept) and the stderr returned is ''.
sub run_psql {
	my ($db, $sql, $merge, $stop) = @_;
	my ($in, $out, $err) = ("$tmp/in.sql", "$tmp/out", "$tmp/err");
	spit($in, $sql);
	my @cmd = ('psql', '-X', '-q', '-v', "ON_ERROR_STOP=$stop", '--pset=footer=on',
	           '--pset=pager=off', '-d', $db);
	my $pid = fork();
	die "fork: $!\n" unless defined $pid;
	if ($pid == 0) {
		setpgrp(0, 0);
		open(STDIN, '<', $in) or POSIX::_exit(127);
		open(STDOUT, '>', $out) or POSIX::_exit(127);
		if ($merge) {
			open(STDERR, '>&', \*STDOUT) or POSIX::_exit(127);
		} else {
			open(STDERR, '>', $err) or POSIX::_exit(127);
		}
		exec { $cmd[0] } @cmd or POSIX::_exit(127);
	}
	my $timed_out = 0;
	my $status;
	eval {
		local $SIG{ALRM} = sub { die "timeout\n" };
		alarm $timeout;
		waitpid($pid, 0);
		$status = $?;
		alarm 0;
	};
	if ($@) {
		$timed_out = 1;
		kill 'TERM', -$pid;
		sleep 1;
		kill 'KILL', -$pid;
		waitpid($pid, 0);
		$status = $?;
	}
	return ($status, slurp($out), $merge ? '' : slurp($err), $timed_out);
}

# A statement on the maintenance database; dies with psql's message on error.
sub admin {
	my ($sql) = @_;
	my ($status, $out, $err, $to) = run_psql('postgres', $sql, 0, 1);
	die(($to ? "timed out\n" : '') . $err . $out) if $status != 0 || $to;
}

sub normalize {
	my ($s) = @_;
	my @l = split /\n/, $s, -1;
	s/[ \t\r]+\z// for @l;
	pop @l while @l && $l[-1] eq '';
	return join("\n", @l) . (@l ? "\n" : '');
}

sub strip_psql_prefix {
	my ($s) = @_;
	$s =~ s/^psql:<stdin>:\d+: //mg;
	return $s;
}

sub comment {
	my ($s) = @_;
	$s =~ s/\n\z//;
	return '' if $s eq '';
	return join('', map { "#   $_\n" } split /\n/, $s, -1);
}

sub udiff {
	my ($expected, $actual) = @_;
	spit("$tmp/expected", $expected);
	spit("$tmp/actual", $actual);
	my $d = `diff -u --label expected --label actual "$tmp/expected" "$tmp/actual" 2>&1`;
	return $d ne '' ? $d : "(outputs differ)\n--- expected\n$expected--- actual\n$actual";
}

# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

my ($n, $passed, $failed) = (0, 0, 0);

sub report {
	my ($ok, $name, $detail) = @_;
	$n++;
	if ($ok) {
		$passed++;
		print "ok $n - $name\n";
	} else {
		$failed++;
		print "not ok $n - $name\n";
		print comment($detail) if defined $detail;
	}
}

for my $page (@pages) {
	my $name = display_name($page);
	my @examples = eval { examples_of($page) };
	if ($@) {
		report(0, "$name (read)", $@);
		next;
	}
	my @run = grep { !$_->{skip} } @examples;
	for my $e (grep { $_->{skip} } @examples) {
		print "# skipped: $name block $e->{k} (line $e->{line}, no-check)\n";
	}
	next unless @run;

	(my $db = lc $name) =~ s/\.md\z//;
	$db =~ s{^docs/}{};
	$db = "slo_docs_$db";
	$db =~ s/[^a-z0-9_]+/_/g;
	$db = substr($db, 0, 63);
	eval {
		admin(qq{DROP DATABASE IF EXISTS "$db" WITH (FORCE);\n});
		admin(qq{CREATE DATABASE "$db";\n});
		my ($status, $out, $err, $to) = run_psql($db, "CREATE EXTENSION slo;\n", 0, 1);
		die(($to ? "timed out\n" : '') . $err . $out) if $status != 0 || $to;
	};
	if ($@) {
		report(0, "$name (set-up: fresh database $db with CREATE EXTENSION slo)", $@);
		next;
	}

	for my $e (@run) {
		my $label = "$name block $e->{k}";
		my $expects_error = defined $e->{expected} && $e->{expected} =~ /^ERROR:/m;
		my ($status, $out, $err, $to) = run_psql($db, $e->{sql}, $expects_error, $expects_error ? 0 : 1);
		my $where = "line $e->{line} of $name";
		if ($to) {
			report(0, $label, "$where: timed out after ${timeout}s\n" . $err . $out);
			next;
		}
		if ($expects_error) {
			my $actual = normalize(strip_psql_prefix($out));
			my $want = normalize($e->{expected});
			if ($status != 0) {
				report(0, $label, "$where: psql exited with status " . ($status >> 8) . "\n$actual");
			} elsif ($actual ne $want) {
				report(0, $label, "$where: output differs\n" . udiff($want, $actual));
			} else {
				report(1, $label);
			}
			next;
		}
		if ($status != 0) {
			report(0, $label, "$where: failed (psql exit status " . ($status >> 8) . ")\n"
			       . strip_psql_prefix($err) . ($out ne '' ? "stdout:\n$out" : ''));
			next;
		}
		if (defined $e->{expected}) {
			my $actual = normalize($out);
			my $want = normalize($e->{expected});
			if ($actual ne $want) {
				my $d = "$where: output differs\n" . udiff($want, $actual);
				$d .= "stderr:\n" . strip_psql_prefix($err) if $err ne '';
				report(0, $label, $d);
				next;
			}
		}
		report(1, $label);
	}

	unless ($keep) {
		eval { admin(qq{DROP DATABASE IF EXISTS "$db" WITH (FORCE);\n}) };
		print comment("could not drop database $db: $@") if $@;
	}
}

print "docs examples: $passed passed, $failed failed\n";
exit($failed ? 1 : 0);

#!/usr/bin/perl
#
# test/relay/listener.pl PORT LOG [FAIL_FIRST]: a local HTTP listener for
# the relay's tests.  Appends "ID BODY" to LOG for each POST; answers 500 to
# the first FAIL_FIRST requests, 200 after.  Runs until killed.
use strict;
use warnings;
use IO::Socket::INET;

my ($port, $log, $fail_first) = @ARGV;
$fail_first //= 0;
my $server = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port, Listen => 16, ReuseAddr => 1)
	or die "listener: cannot listen on $port: $!\n";
my $seen = 0;
while (my $c = $server->accept) {
	my ($len, $id) = (0, '');
	while (my $line = <$c>) {
		$line =~ s/\r?\n$//;
		last if $line eq '';
		$len = $1 if $line =~ /^Content-Length:\s*(\d+)/i;
		$id = $1 if $line =~ /^X-Slo-Notification-Id:\s*(\d+)/i;
	}
	my $body = '';
	read($c, $body, $len) if $len;
	$seen++;
	if ($seen <= $fail_first) {
		print $c "HTTP/1.0 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n";
	} else {
		open(my $f, '>>', $log) or die;
		print $f "$id $body\n";
		close($f);
		print $c "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n";
	}
	close($c);
}

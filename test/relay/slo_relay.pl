#!/usr/bin/perl
#
# test/relay/slo_relay.pl: deliver slo's outbox to a webhook.
#
# Claims undelivered notifications (slo.claim_notifications, as a member of
# role slo_relay), POSTs each payload as JSON to the webhook, and
# acknowledges it (slo.ack_notification) when the webhook answers 2xx.
# A notification not acknowledged (the webhook failed, or this relay died)
# is claimed again when its lease runs out: delivery is at least once, and
# each POST carries the notification's id in X-Slo-Notification-Id for the
# receiver to deduplicate.  Between rounds it waits SLO_RELAY_POLL seconds.
#
# Core Perl only (no DBI): it talks to PostgreSQL through psql, with the
# usual libpq environment (PGHOST, PGPORT, PGUSER, PGDATABASE).
#
# Environment:
#   SLO_RELAY_WEBHOOK   http://host:port/path (required; plain http)
#   SLO_RELAY_NAME      this relay's name in slo.outbox.claimed_by (default relay-<pid>)
#   SLO_RELAY_LEASE     how long a claim holds (default '1 minute')
#   SLO_RELAY_BATCH     rows per claim (default 100)
#   SLO_RELAY_POLL      seconds between rounds (default 5)
#   SLO_RELAY_ONCE=1    one round, then exit (for cron and tests)
#
# Exit status: 0 after SLO_RELAY_ONCE, 1 on a configuration or database error.
use strict;
use warnings;
use IO::Socket::INET;
use IPC::Open2;
use JSON::PP;

my $webhook = $ENV{SLO_RELAY_WEBHOOK} or die "slo_relay: set SLO_RELAY_WEBHOOK\n";
my ($host, $port, $path) = $webhook =~ m{^http://([^/:]+)(?::(\d+))?(/.*)?$}
	or die "slo_relay: SLO_RELAY_WEBHOOK must be http://host[:port]/path\n";
$port //= 80;
$path //= '/';
my $name = $ENV{SLO_RELAY_NAME} // "relay-$$";
my $lease = $ENV{SLO_RELAY_LEASE} // '1 minute';
my $batch = $ENV{SLO_RELAY_BATCH} // 100;
my $poll = $ENV{SLO_RELAY_POLL} // 5;
my $json = JSON::PP->new->canonical;

# psql_rows(SQL, ARGS...): rows of one column, each a line; arguments are
# passed as psql variables (quoted by psql, never pasted into the SQL)
sub psql_rows {
	my ($sql, %vars) = @_;
	my @cmd = ('psql', '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1');
	push @cmd, '-v', "$_=$vars{$_}" for sort keys %vars;
	# the SQL on standard input, where psql interpolates its variables
	my $pid = open2(my $out, my $in, @cmd) or die "slo_relay: cannot run psql: $!\n";
	print $in $sql, ";\n";
	close($in);
	my @rows = <$out>;
	close($out);
	waitpid($pid, 0);
	die "slo_relay: psql failed\n" if $? != 0;
	chomp @rows;
	return @rows;
}

# POST one payload; true on a 2xx answer
sub post {
	my ($id, $body) = @_;
	my $sock = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port, Proto => 'tcp', Timeout => 10)
		or return 0;
	my $len = length($body);
	print $sock "POST $path HTTP/1.0\r\nHost: $host\r\nContent-Type: application/json\r\n"
		. "X-Slo-Notification-Id: $id\r\nContent-Length: $len\r\nConnection: close\r\n\r\n$body";
	my $status = <$sock> // '';
	close($sock);
	return $status =~ m{^HTTP/\d\.\d 2\d\d};
}

sub round {
	my $claimed = 0;
	my $delivered = 0;
	# psql's :'var' quotes the value as a literal
	my $claim = q{SELECT json_build_object('id', id, 'payload', payload)
				  FROM slo.claim_notifications(:'relay', :'batch'::int, :'lease'::interval) ORDER BY id};
	for my $line (psql_rows($claim, relay => $name, batch => $batch, lease => $lease)) {
		my $n = $json->decode($line);
		$claimed++;
		my $body = $json->encode({%{$n->{payload}}, id => $n->{id}});
		next unless post($n->{id}, $body);
		exit 3 if $ENV{SLO_RELAY_TEST_DIE_AFTER_POST};		# tests: a crash before the acknowledgement
		psql_rows(q{SELECT slo.ack_notification(:'id'::bigint)}, id => $n->{id});
		$delivered++;
	}
	print STDERR "slo_relay $name: $claimed claimed, $delivered delivered\n" if $claimed;
	return $claimed;
}

while (1) {
	round();
	last if $ENV{SLO_RELAY_ONCE};
	sleep $poll;
}
exit 0;

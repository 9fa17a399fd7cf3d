#!/usr/bin/ruby
# Expected CVSS 2.0, 3.0 and 3.1 scores from cvss-suite (Debian's ruby-cvss-suite, an
# implementation independent of keepwatch's). Prints "VECTOR<TAB>BASE<TAB>TEMPORAL<TAB>ENV".
#
#   gen_cvss_suite.rb all VERSION          every base vector of VERSION (2.0, 3.0, 3.1)
#   gen_cvss_suite.rb random VERSION N SEED  N random vectors with temporal and environmental
#                                            metrics (3.x: in a shuffled order)
#   gen_cvss_suite.rb score                  scores the vectors read on stdin
#
# The committed fixtures were made with:
#   ruby gen_cvss_suite.rb all 3.1 > v31_base.tsv  (and 3.0, 2.0 likewise)
#   ruby gen_cvss_suite.rb random 3.1 600 1 > v31_random.tsv  (3.0: 300 2; 2.0: 300 3)
require 'cvss_suite'

V2_BASE = [['AV', %w[L A N]], ['AC', %w[H M L]], ['Au', %w[M S N]],
           ['C', %w[N P C]], ['I', %w[N P C]], ['A', %w[N P C]]].freeze
V2_OPT = [['E', %w[U POC F H ND]], ['RL', %w[OF TF W U ND]], ['RC', %w[UC UR C ND]],
          ['CDP', %w[N L LM MH H ND]], ['TD', %w[N L M H ND]], ['CR', %w[L M H ND]],
          ['IR', %w[L M H ND]], ['AR', %w[L M H ND]]].freeze
V3_BASE = [['AV', %w[N A L P]], ['AC', %w[L H]], ['PR', %w[N L H]], ['UI', %w[N R]],
           ['S', %w[U C]], ['C', %w[H L N]], ['I', %w[H L N]], ['A', %w[H L N]]].freeze
V3_OPT = [['E', %w[X U P F H]], ['RL', %w[X O T W U]], ['RC', %w[X U R C]],
          ['CR', %w[X L M H]], ['IR', %w[X L M H]], ['AR', %w[X L M H]],
          ['MAV', %w[X N A L P]], ['MAC', %w[X L H]], ['MPR', %w[X N L H]], ['MUI', %w[X N R]],
          ['MS', %w[X U C]], ['MC', %w[X N L H]], ['MI', %w[X N L H]], ['MA', %w[X N L H]]].freeze

def line(vector)
  c = CvssSuite.new(vector)
  raise "cvss-suite rejects #{vector}" unless c.valid?
  format("%s\t%.1f\t%.1f\t%.1f", vector, c.base_score, c.temporal_score, c.environmental_score)
end

def prefix(version)
  version == '2.0' ? '' : "CVSS:#{version}/"
end

def tables(version)
  version == '2.0' ? [V2_BASE, V2_OPT] : [V3_BASE, V3_OPT]
end

def all_base(version)
  base, = tables(version)
  combos = base.map { |name, vals| vals.map { |v| "#{name}:#{v}" } }
  combos[0].product(*combos[1..]).each { |parts| puts line(prefix(version) + parts.join('/')) }
end

def random_vectors(version, n, seed)
  rng = Random.new(seed)
  base, opt = tables(version)
  n.times do
    parts = base.map { |name, vals| "#{name}:#{vals[rng.rand(vals.size)]}" }
    if version == '2.0'
      # cvss-suite scores 2.0's temporal and environmental groups only when complete.
      [opt[0, 3], opt[3..]].each do |group|
        group.each { |name, vals| parts << "#{name}:#{vals[rng.rand(vals.size)]}" } if rng.rand(2).zero?
      end
    else
      opt.each { |name, vals| parts << "#{name}:#{vals[rng.rand(vals.size)]}" if rng.rand(2).zero? }
      parts.shuffle!(random: rng) if rng.rand(4).zero?
    end
    puts line(prefix(version) + parts.join('/'))
  end
end

case ARGV[0]
when 'all' then all_base(ARGV[1])
when 'random' then random_vectors(ARGV[1], Integer(ARGV[2]), Integer(ARGV[3]))
when 'score' then $stdin.each_line { |l| puts line(l.strip) unless l.strip.empty? }
else abort 'usage: gen_cvss_suite.rb all VERSION | random VERSION N SEED | score'
end

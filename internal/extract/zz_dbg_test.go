package extract
import ("testing";"fmt";"os")
func TestDbg(t *testing.T){
 f := os.Getenv("DBG"); if f=="" {t.Skip()}
 b,_ := os.ReadFile(f)
 p := scan(b)
 pr := &pricer{}
 h1 := mainH1(p)
 fmt.Println("prices", len(p.prices), "h1", h1)
 for _, c := range visibleCandidates(p, pr, h1, lowerSameLen(p.vis)) { if c.score > -30 {fmt.Printf("%6.1f %v %s %q %s %v\n", c.score, c.decoy, c.amount, c.text, c.where, c.why)} }
}
